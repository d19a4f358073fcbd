import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createLogger } from "../src/log.js";
import { forgetSecrets, rememberSecrets } from "../src/redact.js";

describe("createLogger with a log file", () => {
  it("creates the file 0600 (with its folder) and appends a line per call, synchronously", () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "log-file-")), "logs", "run.jsonl");
    const logger = createLogger({ file, onFileError: (error) => expect.fail(`unexpected ${error.code}`) });
    logger.info({ serialNumber: "SN1" }, "first");
    logger.warn("second");
    const lines = readFileSync(file, "utf8").trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((line) => [line.level, line.msg])).toEqual([["info", "first"], ["warn", "second"]]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it("a file that cannot be written (/dev/full: ENOSPC) is told once and never throws; later lines are dropped", () => {
    const failures: string[] = [];
    const logger = createLogger({ file: "/dev/full", format: "text", onFileError: (error) => failures.push(error.code ?? "?") });
    for (let i = 0; i < 5; i++) logger.info({ i }, "line");
    expect(failures).toEqual(["ENOSPC"]);
    expect(() => logger.flush()).not.toThrow();
  });

  it("a path that cannot be opened (a folder) is told once as well", () => {
    const failures: string[] = [];
    const logger = createLogger({ file: mkdtempSync(path.join(tmpdir(), "log-dir-")), onFileError: (error) => failures.push(error.code ?? "?") });
    logger.error("lost");
    expect(failures).toEqual(["EISDIR"]);
  });

  it("censors remembered secret values in messages and fields", () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "log-secret-")), "run.jsonl");
    rememberSecrets("Q8x~a-remembered.secret_value");
    try {
      const logger = createLogger({ file });
      logger.warn({ header: "Q8x~a-remembered.secret_value", nested: { line: "x Q8x~a-remembered.secret_value y" } }, "read Q8x~a-remembered.secret_value");
      const text = readFileSync(file, "utf8");
      expect(text).not.toContain("remembered.secret");
      expect(text.match(/\[redacted\]/g)).toHaveLength(3);
    } finally {
      forgetSecrets();
    }
  });
});
