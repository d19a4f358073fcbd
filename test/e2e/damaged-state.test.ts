/**
 * Damaged state and a hostile environment, with the real CLI against the emulator: a journal overwritten with garbage
 * or damaged in the middle, a journal deleted or emptied while the import runs, an unreadable lock file, a read-only
 * or full state directory (real tmpfs mounts where the machine allows them), and the modes state is created with.
 * Each time: nothing sent twice, every row one outcome, one clear line and the documented exit code.
 */
import { execFileSync } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, unlinkSync, truncateSync, writeFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emulatorEnv, startEmulator, type EmulatorHandle } from "../../src/emulator/index.js";
import { runCli, startCli, type CliResult, type RunningCli } from "../support/cli-process.js";
import { PROFILES } from "../support/profiles.js";
import { devicesNamed, makeHash, readCsvReport, type CsvDevice } from "../support/device-csv.js";
import { cliImportSetup, journalOf, type CliImportSetup } from "./cli-runs.js";
import { until } from "../support/until.js";

const setup = (prefix: string, devices: readonly CsvDevice[], extra: readonly string[] = []): CliImportSetup =>
  cliImportSetup(`autopilot-import-damaged-${prefix}`, devices, ["--no-cleanup", "--no-verify", ...extra]);
let emulator: EmulatorHandle;
let env: Record<string, string>;

beforeAll(async () => {
  emulator = await startEmulator({ scenario: { seed: 16, clock: { speed: 20 }, processing: { delayMs: 1_000, spreadMs: 1_000 }, throttling: { writesPerWindow: 4 } } });
  env = { ...emulatorEnv(emulator), AUTOPILOT_IMPORT_LOG_LEVEL: "warn" };
});
afterAll(() => emulator?.close());

function submittedOf(prefix: string, on: EmulatorHandle = emulator): Record<string, number> {
  return Object.fromEntries(Object.entries(on.stats().submissions.bySerial).filter(([serial]) => serial.startsWith(prefix)));
}

/** Each of `devices` reached the emulator exactly once (or, with `atMost`, never twice). */
function expectNoneSubmittedTwice(prefix: string, devices: readonly CsvDevice[], atMost = false, on: EmulatorHandle = emulator): void {
  const counts = submittedOf(prefix, on);
  expect(Object.entries(counts).filter(([, n]) => n !== 1), "submitted twice").toEqual([]);
  if (!atMost) expect(Object.keys(counts).sort()).toEqual(devices.map((d) => d.serial).sort());
}

/** The report holds every row exactly once. */
function expectEveryRowOnce(report: string, devices: readonly CsvDevice[]): void {
  const rows = readCsvReport(report);
  expect(rows.map((r) => r.serialNumber).sort()).toEqual(devices.map((d) => d.serial).sort());
}

/** stderr is one line (besides the progress of a terminal, which a child has none of). */
function expectOneLine(result: CliResult, pattern: RegExp): void {
  const lines = result.stderr.split("\n").filter(Boolean);
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

function start(s: CliImportSetup, more: string[] = [], on: Record<string, string> = env): RunningCli {
  return startCli([...s.args, ...more], { env: on, cwd: s.dir });
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

const journalLines = (file: string): string[] => (existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean) : []);

/** Mounts a tmpfs (`options` such as `size=64k,ro`) on `dir`; false where this machine does not allow it. */
function mountTmpfs(dir: string, options: string): boolean {
  mkdirSync(dir, { recursive: true });
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", options, "tmpfs", dir], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

function unmount(dir: string): void {
  execFileSync("umount", [dir], { stdio: "ignore" });
}

describe("a journal that is not a journal", () => {
  it("overwritten with garbage: one line, exit 2, nothing sent, the file left as it is", async () => {
    const devices = devicesNamed("GARB-", 3);
    const s = setup("GARB-", devices);
    const first = await start(s).result;
    expect(first.code, first.stderr).toBe(0);
    const journal = journalOf(s.stateDir);
    const garbage = Buffer.from(Array.from({ length: 40 }, (_, i) => `garbage line ${i} \u0000\u00ff`).join("\n"));
    writeFileSync(journal, garbage);
    const again = await start(s).result;
    expect(again.code).toBe(2);
    expectOneLine(again, new RegExp(`^autopilot-import: ${escape(journal)} is not a journal of this tool .*nothing was sent`));
    expect(readFileSync(journal).equals(garbage)).toBe(true);
    expectNoneSubmittedTwice("GARB-", devices);
    const status = await runCli(["status", "--state-dir", s.stateDir], { cwd: s.dir });
    expect(status.stdout).toContain(`${journal}: not a journal of this tool (no valid run record): an import refuses it`);
  });
});

describe("the lock file", () => {
  it("empty or garbage: taken over after a short look (not 10 minutes), the import runs", async () => {
    for (const [i, content] of ["", "\u0000\u0000 not json at all"].entries()) {
      const devices = devicesNamed(`LOCKG${i}-`, 3);
      const s = setup(`LOCKG${i}-`, devices);
      mkdirSync(s.stateDir, { recursive: true });
      writeFileSync(path.join(s.stateDir, "lock"), content);
      const started = Date.now();
      const result = await start(s).result;
      expect(result.code, result.stderr).toBe(0);
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(result.stderr).toContain(`took over the lock of ${s.stateDir} left by an unreadable lock file`);
      expectNoneSubmittedTwice(`LOCKG${i}-`, devices);
    }
  });
});

describe("modes of what the state directory holds", () => {
  it("the state directory and runs/ are 0700, the journal 0600", async () => {
    const devices = devicesNamed("MODE-", 2);
    const s = setup("MODE-", devices);
    const result = await start(s).result;
    expect(result.code, result.stderr).toBe(0);
    expect(statSync(s.stateDir).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(s.stateDir, "runs")).mode & 0o777).toBe(0o700);
    expect(statSync(journalOf(s.stateDir)).mode & 0o777).toBe(0o600);
  });
});

describe("a state directory this machine cannot write", () => {
  it("read-only: one line naming the directory and the cause, exit 2, nothing sent", async (context) => {
    const devices = devicesNamed("ROFS-", 3);
    const s = setup("ROFS-", devices);
    if (!mountTmpfs(s.stateDir, "size=64k,ro")) return context.skip("mounting a tmpfs is not allowed here");
    try {
      const result = await start(s).result;
      expect(result.code).toBe(2);
      expectOneLine(result, new RegExp(`the state directory ${s.stateDir} cannot be used: .*read-only`));
      expect(submittedOf("ROFS-")).toEqual({});
    } finally {
      unmount(s.stateDir);
    }
  });

  it("full: one line naming the directory and the cause, exit 2, nothing sent; once there is room, the run goes on", async (context) => {
    const devices = devicesNamed("FULL-", 3);
    const s = setup("FULL-", devices);
    if (!mountTmpfs(s.stateDir, "size=16k")) return context.skip("mounting a tmpfs is not allowed here");
    const filler = path.join(s.stateDir, "filler");
    try {
      try {
        writeFileSync(filler, Buffer.alloc(64 * 1024));
      } catch {
        // full now
      }
      const result = await start(s).result;
      expect(result.code).toBe(2);
      expectOneLine(result, new RegExp(`the state directory ${s.stateDir} cannot be used: .*(full|no space)`));
      expect(submittedOf("FULL-")).toEqual({});
      unlinkSync(filler);
      const again = await start(s).result;
      expect(again.code, again.stderr).toBe(0);
      expectEveryRowOnce(s.report, devices);
      expectNoneSubmittedTwice("FULL-", devices);
    } finally {
      unmount(s.stateDir);
    }
  });
});

describe("a state directory that fills up while the import runs", () => {
  it("the journal cannot be written: one line, exit 2, nothing more sent; once there is room, the same command finishes the run", async (context) => {
    const prefix = "FILLS-";
    const devices = devicesNamed(prefix, 80);
    const s = setup(prefix, devices);
    if (!mountTmpfs(s.stateDir, "size=16k")) return context.skip("mounting a tmpfs is not allowed here");
    const filler = path.join(s.stateDir, "filler");
    try {
      writeFileSync(filler, Buffer.alloc(8 * 1024));
      const result = await start(s).result;
      expect(result.code, result.stderr).toBe(2);
      expectOneLine(result, /^autopilot-import: cannot write the journal .* the disk is full \(ENOSPC\): stopped, nothing more is sent; run the same command again once it can be written$/);
      expectNoneSubmittedTwice(prefix, devices, true);
      unlinkSync(filler);
      execFileSync("mount", ["-o", "remount,size=1m", s.stateDir], { stdio: "ignore" });
      const again = await start(s).result;
      expect(again.code, again.stderr).toBe(0);
      expectNoneSubmittedTwice(prefix, devices);
      expectEveryRowOnce(s.report, devices);
    } finally {
      unmount(s.stateDir);
    }
  });
});

describe("the journal deleted or emptied while the import runs", () => {
  for (const [name, damage] of [
    ["deleted", (file: string) => unlinkSync(file)],
    ["emptied", (file: string) => truncateSync(file, 0)],
  ] as const) {
    it(`${name}: noticed at the next record, one line, exit 2, nothing more sent`, async () => {
      const prefix = `LOST${name.slice(0, 3).toUpperCase()}-`;
      const devices = devicesNamed(prefix, 60);
      const s = setup(prefix, devices);
      const cli = start(s);
      await until(() => existsSync(path.join(s.stateDir, "runs")) && readdirSync(path.join(s.stateDir, "runs")).length > 0, "the journal");
      const journal = journalOf(s.stateDir);
      await until(() => Object.keys(submittedOf(prefix)).length >= 10, "submissions");
      damage(journal);
      const atDamage = Object.keys(submittedOf(prefix)).length;
      const result = await cli.result;
      expect(result.code, result.stderr).toBe(2);
      expectOneLine(result, new RegExp(`^autopilot-import: the journal ${escape(journal)} was ${name === "deleted" ? "deleted" : "emptied or cut short \\(0 of its \\d+ bytes left\\)"} while the import ran: stopped, nothing more is sent`));
      // Uploads already on the wire when it happened may land; nothing planned after it is sent.
      expect(Object.keys(submittedOf(prefix)).length).toBeLessThanOrEqual(atDamage + 5 * 4);
      expect(Object.keys(submittedOf(prefix)).length).toBeLessThan(60);
      expectNoneSubmittedTwice(prefix, devices, true);
    });
  }
});

describe.each(PROFILES)("one damaged line in the middle of the journal ($name profile)", (profile) => {
  let service: EmulatorHandle;
  let serviceEnv: Record<string, string>;
  beforeAll(async () => {
    service = await startEmulator({ scenario: profile.apply({ seed: 17, clock: { speed: 20 }, processing: { delayMs: 1_000, spreadMs: 1_000 }, throttling: { writesPerWindow: 4 } }) });
    serviceEnv = { ...emulatorEnv(service), AUTOPILOT_IMPORT_LOG_LEVEL: "warn" };
  });
  afterAll(() => service?.close());

  it("an upload already sent: looked up in Graph by serial before anything is sent; none sent twice, every row one outcome", async () => {
    const prefix = "MID-";
    const devices = devicesNamed(prefix, 40);
    const s = setup(prefix, devices);
    const cli = start(s, [], serviceEnv);
    await until(() => existsSync(path.join(s.stateDir, "runs")) && readdirSync(path.join(s.stateDir, "runs")).length > 0, "the journal");
    const journal = journalOf(s.stateDir);
    await until(() => journalLines(journal).filter((l) => l.includes('"upload-submitted"')).length >= 2, "two uploads answered");
    cli.child.kill("SIGKILL");
    await cli.result;
    const lines = journalLines(journal);
    const planned = lines.findIndex((l) => l.includes('"upload-planned"'));
    expect(planned).toBeLessThan(lines.length - 1);
    // One changed character in a serial number of an upload that was sent: the line fails its checksum.
    const at = lines[planned]!.indexOf(`"${prefix}`) + 2;
    lines[planned] = `${lines[planned]!.slice(0, at)}X${lines[planned]!.slice(at + 1)}`;
    writeFileSync(journal, `${lines.join("\n")}\n`);
    const resumed = await start(s, [], serviceEnv).result;
    expectNoneSubmittedTwice(prefix, devices, false, service);
    expectEveryRowOnce(s.report, devices);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/1 damaged journal line\(s\) skipped in .*: it no longer proves what was sent, so the \d+ row\(s\) it does not account for are looked up in Graph by serial number before anything is sent/);
  });
});

describe("an input that changes while it is imported", () => {
  it("still being written while it is fingerprinted: refused in one line (exit 2), nothing sent, no journal", async () => {
    const prefix = "WRITING-";
    const devices = devicesNamed(prefix, 2);
    const s = setup(prefix, devices);
    // A large (sparse) file takes the fingerprint a moment to hash; a writer appends to it all along.
    truncateSync(s.file, 256 * 1024 * 1024);
    const cli = start(s);
    let appended = 0;
    while (!cli.exited()) {
      appendFileSync(s.file, `${prefix}LATE${appended++},,${makeHash(64)},\r\n`);
      await sleep(5);
    }
    const result = await cli.result;
    expect(result.code).toBe(2);
    expectOneLine(result, /^autopilot-import: .*devices\.csv changed while it was read \(is it still being written\?\): nothing was sent; run the import again once the file is complete$/);
    expect(submittedOf(prefix)).toEqual({});
    expect(existsSync(path.join(s.stateDir, "runs")) ? readdirSync(path.join(s.stateDir, "runs")) : []).toEqual([]);
  });

  it("grown while it is read: only the fingerprinted rows are read and sent, and the change is told in one line (exit 2)", async () => {
    const prefix = "GROW-";
    // Large enough (about 1.2 MB) that the reader is still in it when the first uploads go out.
    const devices = Array.from({ length: 300 }, (_, i) => ({ serial: `${prefix}${String(i).padStart(5, "0")}`, hash: makeHash(3_000) }));
    const later = devicesNamed(`${prefix}LATE-`, 20);
    const s = setup(prefix, devices, ["--batch-size", "25"]);
    const cli = start(s);
    await until(() => existsSync(path.join(s.stateDir, "runs")) && readdirSync(path.join(s.stateDir, "runs")).length > 0, "the journal");
    const journal = journalOf(s.stateDir);
    await until(() => journalLines(journal).some((l) => l.includes('"upload-planned"')), "the first upload");
    appendFileSync(s.file, later.map((d) => `${d.serial},,${d.hash},\r\n`).join(""));
    const result = await cli.result;
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/devices\.csv.*the file changed while it was imported \(\d+ bytes when the run began, it has \d+ bytes now\): is it still being written\?/);
    expect(result.stderr).not.toMatch(/\n\s+at |internal error/);
    // What was journaled is what was fingerprinted: none of the rows written later reached Graph.
    expect(Object.keys(submittedOf(`${prefix}LATE-`))).toEqual([]);
    expectNoneSubmittedTwice(prefix, devices);
    expectEveryRowOnce(s.report, devices);
  });
});
