import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough, Writable } from "node:stream";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Logger } from "pino";
import type { CliContext } from "../../../src/cli/context.js";
import { defaultLogFormat, loggerFor } from "../../../src/cli/output/terminal.js";
import { startEmulator, type EmulatorHandle } from "../../../src/emulator/index.js";
import { runInProcess } from "../../support/cli-in-process.js";
import { makeHash, writeCsv } from "../../support/device-csv.js";

const CLOCK = /^\d{2}:\d{2}:\d{2} /;

/** A context whose stderr is captured, and is a terminal when `tty`. */
function contextWith(tty: boolean): { context: CliContext; stderr: () => Promise<string> } {
  let text = "";
  const stderr = Object.assign(
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        text += chunk.toString();
        done();
      },
    }),
    { isTTY: tty },
  );
  const context: CliContext = { env: {}, cwd: process.cwd(), stdin: new PassThrough(), stdout: new PassThrough(), stderr, signal: new AbortController().signal };
  return { context, stderr: async () => (await new Promise((resolve) => setImmediate(resolve)), text) };
}

/** The file's text once the logger's asynchronous destination has opened it and written its buffer. */
async function written(logger: Logger, file: string): Promise<string> {
  return vi.waitFor(
    async () => {
      await new Promise<void>((resolve) => logger.flush(() => resolve()));
      const text = readFileSync(file, "utf8");
      if (!text.endsWith("\n")) throw new Error("not yet written");
      return text;
    },
    { timeout: 5_000, interval: 20 },
  );
}

describe("loggerFor: the log's format and level on a terminal and off it", () => {
  it("on a terminal: text lines, errors only (the bar stays readable), each erasing the bar's line", async () => {
    const { context, stderr } = contextWith(true);
    const logger = loggerFor(context, "info", undefined);
    logger.info("hidden");
    logger.error({ uploadId: "u1" }, "upload failed");
    const text = await stderr();
    expect(text).not.toContain("hidden");
    expect(text.startsWith("\r\x1b[2K")).toBe(true);
    expect(text.slice(5)).toMatch(/^\d{2}:\d{2}:\d{2} ERROR upload failed uploadId=u1\n$/);
  });

  it("off a terminal: JSON lines at the chosen level, with level names", async () => {
    const { context, stderr } = contextWith(false);
    const logger = loggerFor(context, "info", undefined);
    logger.info({ files: 2 }, "import starting");
    const line = JSON.parse((await stderr()).trim()) as Record<string, unknown>;
    expect(line).toMatchObject({ level: "info", msg: "import starting", files: 2 });
  });

  it("--log-format wins over the guess, either way", async () => {
    const tty = contextWith(true);
    loggerFor(tty.context, "info", undefined, "json").error("as json");
    expect(JSON.parse((await tty.stderr()).trim())).toMatchObject({ level: "error", msg: "as json" });
    const pipe = contextWith(false);
    loggerFor(pipe.context, "info", undefined, "text").warn("as text");
    expect(await pipe.stderr()).toMatch(/^\d{2}:\d{2}:\d{2} WARN {2}as text\n$/);
  });

  it("a --log-file gets JSON by default and text when asked, at the full level even on a terminal", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "autopilot-import-log-"));
    const { context } = contextWith(true);
    expect(defaultLogFormat(context, path.join(dir, "x.log"))).toBe("json");
    expect(defaultLogFormat(context, undefined)).toBe("text");
    const jsonLogger = loggerFor(context, "info", path.join(dir, "run.log"));
    jsonLogger.info({ n: 1 }, "to the file");
    const json = await written(jsonLogger, path.join(dir, "run.log"));
    expect(JSON.parse(json.trim())).toMatchObject({ level: "info", msg: "to the file", n: 1 });
    const textLogger = loggerFor(context, "info", path.join(dir, "run.txt"), "text");
    textLogger.info({ n: 2 }, "as text");
    expect(await written(textLogger, path.join(dir, "run.txt"))).toMatch(/^\d{2}:\d{2}:\d{2} INFO {2}as text n=2\n$/);
  });
});

describe("--log-format through the CLI, against the emulator", () => {
  let emulator: EmulatorHandle | undefined;
  afterEach(async () => {
    await emulator?.close();
    emulator = undefined;
  });

  it.each(["text", "json"] as const)("%s: trace logs of a real sign-in and import carry no secret or token", async (format) => {
    const e = (emulator = await startEmulator({ scenario: { throttling: { enabled: false }, processing: { delayMs: 0, spreadMs: 0 } } }));
    const dir = mkdtempSync(path.join(tmpdir(), "autopilot-import-log-format-"));
    const file = writeCsv(dir, "in.csv", [{ serial: "LOG-1", hash: makeHash() }, { serial: "LOG-2", hash: makeHash() }]);
    const run = await runInProcess(
      ["import", file, "--report", path.join(dir, "out.csv"), "--graph-url", e.graphUrl, "--authority-host", e.authorityHost, "--ca-cert", e.caCertPath, "--log-level", "trace", "--log-format", format],
      { AZURE_TENANT_ID: e.tenantId, AZURE_CLIENT_ID: e.clientId, AZURE_CLIENT_SECRET: e.clientSecret, AUTOPILOT_IMPORT_STATE_DIR: path.join(dir, "state") },
    );
    expect(run.code).toBe(0);
    const lines = run.stderr.split("\n").filter((line) => line.startsWith("{") || CLOCK.test(line));
    expect(lines.some((line) => line.includes("import starting"))).toBe(true);
    if (format === "json") for (const line of lines) expect(JSON.parse(line)).toHaveProperty("level", expect.stringMatching(/^(trace|debug|info|warn|error|fatal)$/));
    else for (const line of lines) expect(line).toMatch(/^\d{2}:\d{2}:\d{2} (TRACE|DEBUG|INFO |WARN |ERROR|FATAL) /);
    expect(run.stderr).not.toContain(e.clientSecret);
    expect(run.stderr).not.toMatch(/eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\./);
  });

  it("refuses an unknown format with a usage error", async () => {
    const run = await runInProcess(["settings", "--log-format", "pretty"], {});
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--log-format");
  });
});
