/**
 * What the tool writes and prints when its files are hostile or its disks full (issue 16), with the built CLI
 * (`npm run build` first) against the emulator: no secret in any output, a log that cannot be written never stops a
 * run or its signals, no output ever overwrites an input (links seen through), unreadable and non-regular inputs get
 * one line and exit 2, and reports and logs are private (0600). Each test has its own folder and serials: they run
 * concurrently (most of their time is the CLI's start and its first poll).
 */
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emulatorEnv, startEmulator, type EmulatorHandle } from "../../src/emulator/index.js";
import { BIN, collect, runCli, startCli, type CliResult } from "../support/cli-process.js";
import { devicesNamed, makeHash, readCsvReport, writeCsv } from "../support/device-csv.js";

let emulator: EmulatorHandle;
let env: Record<string, string>;
let dir: string;

beforeAll(async () => {
  expect(existsSync(BIN), "run `npm run build` before the CLI tests").toBe(true);
  emulator = await startEmulator({
    scenario: { clock: { speed: 20 }, processing: { delayMs: 0, spreadMs: 0 }, throttling: { enabled: false }, outcomes: { stuckSerials: ["HOSTILE-STUCK"] } },
  });
  env = { ...emulatorEnv(emulator), AUTOPILOT_IMPORT_LOG_LEVEL: "warn" };
  dir = mkdtempSync(path.join(tmpdir(), "autopilot-import-hostile-"));
  chmodSync(dir, 0o755);
});
afterAll(async () => {
  await emulator?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// The after-import steps are tested elsewhere: here they would only add time.
const FAST = ["--batch-size", "5", "--no-verify", "--no-sync", "--no-cleanup"];

function submissions(prefix: string): Record<string, number> {
  return Object.fromEntries(Object.entries(emulator.stats().submissions.bySerial).filter(([serial]) => serial.startsWith(prefix)));
}

/** Every text an output can hold: the streams and every file under the given folders. */
function everyOutput(result: CliResult, folders: readonly string[], files: readonly string[] = []): string {
  const texts = [result.stdout, result.stderr];
  const walk = (folder: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) texts.push(readFileSync(full, "utf8"));
    }
  };
  for (const folder of folders) if (existsSync(folder)) walk(folder);
  for (const file of files) if (existsSync(file)) texts.push(readFileSync(file, "utf8"));
  return texts.join("\n");
}

/** Runs the CLI to its end, or SIGKILLs it after `ms` (a process deaf to signals must not outlive its test). */
async function runWithin(ms: number, args: readonly string[], options: Parameters<typeof startCli>[1]): Promise<CliResult> {
  const cli = startCli(args, options);
  const timer = setTimeout(() => cli.child.kill("SIGKILL"), ms);
  try {
    return await cli.result;
  } finally {
    clearTimeout(timer);
  }
}

function workDir(name: string): string {
  const folder = path.join(dir, name);
  mkdirSync(folder, { recursive: true });
  return folder;
}

describe.concurrent("no configured secret in any output", () => {
  it("a CSV that is a link to the secret file, and a row whose serial is the secret: the secret is in no stream, report or log", async () => {
    const work = workDir("secret");
    const secret = emulator.clientSecret;
    const secretFile = path.join(work, "client-secret.txt");
    writeFileSync(secretFile, `${secret}\n`);
    const outputs = workDir("secret-out");
    symlinkSync(secretFile, path.join(work, "s.csv"));
    // A valid hash: only the serial being the secret makes the row invalid (never sent, never journaled in clear).
    writeFileSync(path.join(work, "rows.csv"), `Device Serial Number,Hardware Hash\r\n${secret},${makeHash()}\r\n`);
    writeCsv(work, "good.csv", devicesNamed("HOSTILE-SECRET-", 3));
    const { AZURE_CLIENT_SECRET: _, ...withoutSecret } = env;
    const result = await runCli(
      ["import", "good.csv", "rows.csv", "s.csv", "--report", path.join(outputs, "report.csv"), "--json", "--log-file", path.join(outputs, "log.jsonl"), "--log-level", "debug", ...FAST],
      { env: { ...withoutSecret, AZURE_CLIENT_SECRET_FILE: secretFile }, cwd: work },
    );
    expect(result.code).toBe(2); // s.csv cannot be read as a CSV
    expect(result.stderr).toContain("s.csv: missing required columns 'Device Serial Number' and 'Hardware Hash': the first line is not a CSV header");
    expect(submissions("HOSTILE-SECRET-")).toEqual({ "HOSTILE-SECRET-00000": 1, "HOSTILE-SECRET-00001": 1, "HOSTILE-SECRET-00002": 1 });
    const report = readCsvReport(path.join(outputs, "report.csv"));
    expect(report.map((row) => row.status).sort()).toEqual(["imported", "imported", "imported", "invalid"]);
    expect(report.find((row) => row.status === "invalid")).toMatchObject({ file: "rows.csv", line: "2", errorCode: "secret_value" });
    expect(Object.keys(emulator.stats().submissions.bySerial)).not.toContain(secret);
    // Private, too: the report names serials and users, the log as well.
    expect(statSync(path.join(outputs, "report.csv")).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(outputs, "log.jsonl")).mode & 0o777).toBe(0o600);
    const printed = everyOutput(result, [outputs, path.join(work, ".autopilot-import")]);
    expect(printed).toContain("import starting"); // the log was written
    expect(printed).toContain('"type":"run"'); // and so was the journal
    expect(printed).not.toContain(secret);
    expect(printed).not.toContain(secret.slice(0, 8));
  });

  it("validate and the inbox job never quote a first line that is not a header", async () => {
    const work = workDir("not-a-header");
    const token = `ghp_${"Zx9".repeat(12)}`;
    writeFileSync(path.join(work, "token.csv"), `${token}\n`);
    writeFileSync(path.join(work, "passwd.csv"), "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n");
    const validated = await runCli(["validate", "token.csv", "passwd.csv", "--json", "--report", "v.csv"], { cwd: work });
    expect(validated.code).toBe(2);
    expect(validated.stderr).toContain("token.csv: error: missing required columns 'Device Serial Number' and 'Hardware Hash': the first line is not a CSV header (40 characters)");
    expect(everyOutput(validated, [], [path.join(work, "v.csv")])).not.toMatch(/Zx9Zx9|root:x/);
    expect(statSync(path.join(work, "v.csv")).mode & 0o777).toBe(0o600);

    const root = workDir("not-a-header-inbox");
    mkdirSync(path.join(root, "inbox"));
    writeFileSync(path.join(root, "inbox", "token.csv"), `${token}\n`);
    const job = await runCli(["run", "--inbox", root, "--settle", "0", "--json", ...FAST], { env, cwd: root });
    expect(job.code).toBe(1);
    const failed = readdirSync(path.join(root, "failed"));
    expect(failed.filter((name) => name.endsWith(".error.txt"))).toHaveLength(1);
    const note = everyOutput(job, [path.join(root, "failed")]).replace(readFileSync(path.join(root, "failed", "token.csv"), "utf8"), "");
    expect(note).toContain("the first line is not a CSV header");
    expect(note).not.toContain("Zx9Zx9");
  });
});

describe.concurrent("a log that cannot be written", () => {
  it("--log-file /dev/full (ENOSPC on every write): one warning, the import completes with its exit code", async () => {
    const work = workDir("dev-full");
    writeCsv(work, "devices.csv", devicesNamed("HOSTILE-FULL-", 4));
    const result = await runWithin(45_000, ["import", "devices.csv", "--report", "r.csv", "--log-file", "/dev/full", "--log-level", "debug", ...FAST], { env, cwd: work });
    expect(result.code).toBe(0);
    expect(result.stderr.match(/cannot write the log file/g)).toHaveLength(1);
    expect(result.stderr).toContain("warning: cannot write the log file /dev/full (ENOSPC): its log lines are dropped, the run goes on");
    expect(readCsvReport(path.join(work, "r.csv")).map((row) => row.status)).toEqual(["imported", "imported", "imported", "imported"]);
    expect(Object.values(submissions("HOSTILE-FULL-"))).toEqual([1, 1, 1, 1]);
  });

  it("--log-file a FIFO nobody reads (an open that would block): one warning, the import completes, signals work", async () => {
    const work = workDir("log-fifo");
    writeCsv(work, "devices.csv", devicesNamed("HOSTILE-FIFO-LOG-", 2));
    spawnSync("mkfifo", [path.join(work, "log.fifo")]);
    const result = await runWithin(30_000, ["import", "devices.csv", "--report", "r.csv", "--log-file", "log.fifo", ...FAST], { env, cwd: work });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr.match(/cannot write the log file/g)).toHaveLength(1);
    expect(result.stderr).toContain("(ENXIO): its log lines are dropped, the run goes on");
    expect(Object.values(submissions("HOSTILE-FIFO-LOG-"))).toEqual([1, 1]);
  });

  it("a full tmpfs: SIGTERM during the run still stops it (143), and a re-run sends nothing twice", async (context) => {
    const mount = workDir("tmpfs");
    if (spawnSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", mount]).status !== 0) {
      context.skip(); // mounting needs root (or CAP_SYS_ADMIN): not allowed on this machine
      return;
    }
    try {
      // Fill it: every later write there fails with ENOSPC.
      const filler = Buffer.alloc(16 * 1024, 1);
      for (let i = 0; i < 8; i++) spawnSync("sh", ["-c", `cat >> ${path.join(mount, "filler")}`], { input: filler });
      const work = workDir("tmpfs-work");
      writeCsv(work, "devices.csv", [...devicesNamed("HOSTILE-TMPFS-", 4), { serial: "HOSTILE-STUCK", hash: makeHash() }]);
      const args = ["import", "devices.csv", "--report", "r.csv", "--log-file", path.join(mount, "log.jsonl"), "--log-level", "debug", ...FAST];
      const cli = startCli([...args, "--poll-timeout", "1h"], { env, cwd: work });
      const killLater = setTimeout(() => cli.child.kill("SIGKILL"), 45_000);
      const deadline = Date.now() + 40_000;
      while (submissions("HOSTILE-STUCK")["HOSTILE-STUCK"] === undefined && Date.now() < deadline) await sleep(20);
      expect(submissions("HOSTILE-STUCK")).toEqual({ "HOSTILE-STUCK": 1 });
      cli.child.kill("SIGTERM");
      const stopped = await cli.result.finally(() => clearTimeout(killLater));
      expect(stopped.code).toBe(143);
      expect(stopped.stderr.match(/cannot write the log file/g)).toHaveLength(1);
      // The run was journaled all the same: the same command resumes it and resends nothing.
      const again = await runWithin(45_000, [...args, "--poll-timeout", "2s"], { env, cwd: work });
      expect(again.code).toBe(1); // the stuck device times out; nothing is submitted again
      expect(Object.values(submissions("HOSTILE-TMPFS-"))).toEqual([1, 1, 1, 1]);
      expect(submissions("HOSTILE-STUCK")).toEqual({ "HOSTILE-STUCK": 1 });
    } finally {
      spawnSync("umount", ["-l", mount]);
    }
  }, 150_000);
});

describe.concurrent("an output is never an input", () => {
  const original = (file: string): string => readFileSync(file, "utf8");

  it.each([
    ["validate", "--report", "symlink"],
    ["validate", "--report", "hardlink"],
    ["import", "--report", "hardlink"],
    ["import", "--log-file", "symlink"],
  ] as const)("%s %s as a %s to the input: one line, exit 2, nothing sent, the input intact", async (command, flag, link) => {
    const work = workDir(`same-${command}-${flag.slice(2)}-${link}`);
    const prefix = `HOSTILE-SAME-${command}-${flag.slice(2)}-${link}-`.toUpperCase();
    const input = writeCsv(work, "devices.csv", devicesNamed(prefix, 3));
    const before = original(input);
    const output = path.join(work, "output.csv");
    if (link === "symlink") symlinkSync(input, output);
    else linkSync(input, output);
    const result = await runCli([command, "devices.csv", flag, "output.csv", ...(command === "import" ? FAST : [])], { env, cwd: work });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toContain("is the input devices.csv (the same file through a link): it would be overwritten");
    expect(original(input)).toBe(before);
    expect(submissions(prefix)).toEqual({});
  });

  it("an input inside the state directory is refused: its files are rewritten", async () => {
    const work = workDir("inside-state");
    const state = workDir("inside-state/.autopilot-import");
    const input = writeCsv(state, "devices.csv", devicesNamed("HOSTILE-STATE-", 2));
    const result = await runCli(["import", input, ...FAST], { env, cwd: work });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^autopilot-import: the input .*devices\.csv is inside the state directory .*\.autopilot-import, whose files are rewritten/);
    expect(submissions("HOSTILE-STATE-")).toEqual({});
  });
});

describe.concurrent("inputs that cannot be read", () => {
  it("an unreadable input (EACCES): one line, exit 2, nothing sent", async () => {
    const work = workDir("unreadable");
    chmodSync(work, 0o777);
    writeCsv(work, "ok.csv", devicesNamed("HOSTILE-EACCES-OK-", 2));
    const locked = writeCsv(work, "locked.csv", devicesNamed("HOSTILE-EACCES-", 2));
    chmodSync(locked, 0o000);
    // Root reads any file: the CLI then runs as nobody, for whom the mode holds.
    const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    // The emulator's CA sits in a folder only this process reads: nobody gets a copy.
    const caCert = path.join(work, "ca.pem");
    writeFileSync(caCert, emulator.caCertificate, { mode: 0o644 });
    const child = spawn(process.execPath, [BIN, "import", "ok.csv", "locked.csv", ...FAST], {
      cwd: work,
      env: { PATH: process.env.PATH ?? "", ...env, AUTOPILOT_IMPORT_CA_CERT: caCert },
      ...asNobody,
    });
    child.stdin.end();
    const result = await collect(child);
    expect(result.stderr).toBe("autopilot-import: cannot read locked.csv: permission denied\n");
    expect(result.code).toBe(2);
    expect(submissions("HOSTILE-EACCES-")).toEqual({});
  });

  it("validate on a FIFO with no writer: refused at once (exit 2), as import does", async () => {
    const work = workDir("fifo");
    const fifo = path.join(work, "pipe.csv");
    expect(spawnSync("mkfifo", [fifo]).status).toBe(0);
    const results = await Promise.all(["validate", "import"].map((command) => runWithin(45_000, [command, "pipe.csv"], { env, cwd: work })));
    for (const result of results) {
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/pipe\.csv is not a file \(a pipe, socket or device\)/);
    }
  });
});
