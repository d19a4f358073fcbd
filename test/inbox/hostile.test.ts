/**
 * The real CLI (dist/cli/bin.js) draining an inbox that holds hostile or unlucky entries, against the emulator: links
 * (to the job's own secret, to /etc/passwd, to a FIFO) are never followed and go to failed/ as links; directories and
 * FIFOs never block the job; a 255-byte name is imported and moved under names that fit; an unreadable file and a file
 * that cannot be moved each stay one file's problem; names with control characters are printed escaped; a file
 * appended to or deleted during its import never goes to done/. The permission tests run the child as an unprivileged
 * user when the tests run as root (root reads mode 000 files and writes read-only folders).
 */
import { spawn, execFileSync } from "node:child_process";
import { chmodSync, existsSync, statSync, truncateSync, lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync, unlinkSync, appendFileSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emulatorEnv, startEmulator, type EmulatorHandle } from "../../src/emulator/index.js";
import { resolveEndpoints } from "../../src/graph/clouds.js";
import { normalizeTenant, runKey } from "../../src/state/fingerprint.js";
import { journalFile, stateLayout } from "../../src/state/state-dir.js";
import { BIN, collect, runCli, startCli, type CliResult } from "../support/cli-process.js";
import { devicesNamed, readCsvReport, writeCsv } from "../support/device-csv.js";
import { age, drop, list, makeInbox } from "./helpers.js";
import { until as waitUntil } from "../support/until.js";
import { itWithPosixModes } from "../support/platform.js";

const until = (condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> => waitUntil(condition, what, timeoutMs, 5);

interface JobJson {
  files: Array<{ name: string; outcome: string; rows: number; imported: number; movedTo: string | null; report: string | null; note: string | null; error: string | null; quarantined: boolean; change: string | null; moveError: string | null }>;
  skipped: Array<{ name: string; reason: string }>;
  unrecovered: Array<{ name: string; error: string }>;
  stopped: unknown;
  exitCode: number;
}

const args = (root: string, ...more: string[]): string[] => ["run", "--inbox", root, "--settle", "0", "--json", "--batch-size", "10", "--verify-timeout", "1m", "--no-cleanup", "--no-sync-wait", ...more];

const ROOT_USER = process.getuid?.() === 0;
const NOBODY = 65534;

/** Every regular file under `dir` (links are listed, never followed), with its content. */
function filesUnder(dir: string): Array<{ file: string; text: string }> {
  const out: Array<{ file: string; text: string }> = [];
  for (const name of readdirSync(dir)) {
    const file = path.join(dir, name);
    const info = lstatSync(file);
    if (info.isDirectory()) out.push(...filesUnder(file));
    else if (info.isFile()) out.push({ file, text: readFileSync(file, "latin1") });
  }
  return out;
}

/** Runs the CLI as `nobody` when this is root (so permissions hold), the tree made theirs; else as this user. */
function runAsUnprivileged(cliArgs: readonly string[], env: Record<string, string>, root: string, emulator: EmulatorHandle): Promise<CliResult> {
  if (!ROOT_USER) return runCli(cliArgs, { env, cwd: root });
  execFileSync("chown", ["-R", `${NOBODY}:${NOBODY}`, root]);
  chmodSync(path.dirname(emulator.caCertPath), 0o755); // the emulator's CA, in a folder only root may enter
  const child = spawn(process.execPath, [BIN, ...cliArgs], { cwd: root, env: { PATH: process.env.PATH ?? "", ...env }, uid: NOBODY, gid: NOBODY });
  child.stdin.end();
  return collect(child);
}

describe("run --inbox with hostile entries (the real CLI)", () => {
  let emulator: EmulatorHandle;
  let env: Record<string, string>;
  beforeAll(async () => {
    emulator = await startEmulator({ scenario: { seed: 16, clock: { speed: 50 }, throttling: { enabled: false }, processing: { delayMs: 1_000, spreadMs: 1_000, registrationLagMs: 1_000 } } });
    env = { ...emulatorEnv(emulator), AUTOPILOT_IMPORT_LOG_LEVEL: "warn" };
  });
  afterAll(() => emulator?.close());

  it("links (to the secret file, /etc/passwd, a FIFO) go to failed/ as links, never read; a directory and a FIFO stay; the good file is imported", async () => {
    const { root, inbox } = makeInbox("links");
    const secretFile = path.join(root, "client-secret");
    writeFileSync(secretFile, emulator.clientSecret);
    const { AZURE_CLIENT_SECRET: _secret, ...withoutSecret } = env;
    const secretEnv = { ...withoutSecret, AZURE_CLIENT_SECRET_FILE: secretFile };
    const good = devicesNamed("HOSTILE-LINK-", 3);
    drop(inbox, "good.csv", good);
    symlinkSync(secretFile, path.join(inbox, "s.csv"));
    symlinkSync("/etc/passwd", path.join(inbox, "p.csv"));
    execFileSync("mkfifo", [path.join(root, "fifo")]);
    execFileSync("mkfifo", [path.join(inbox, "f.csv")]);
    symlinkSync(path.join(root, "fifo"), path.join(inbox, "l.csv"));
    mkdirSync(path.join(inbox, "d.csv"));

    const result = await runCli(args(root), { env: secretEnv, cwd: root });
    expect(result.code, result.stderr).toBe(1);
    const json = JSON.parse(result.stdout) as JobJson;
    const byName = Object.fromEntries(json.files.map((f) => [f.name, f]));
    expect(byName["good.csv"]).toMatchObject({ outcome: "done", rows: 3, imported: 3 });
    for (const name of ["s.csv", "p.csv", "l.csv"]) {
      expect(byName[name], name).toMatchObject({ outcome: "failed", quarantined: true, rows: 0, report: null, movedTo: path.join(root, "failed", name) });
      expect(lstatSync(path.join(root, "failed", name)).isSymbolicLink(), `${name} moved as the link it is`).toBe(true);
      expect(readFileSync(path.join(root, "failed", `${name}.error.txt`), "utf8")).toContain("a symbolic link: not followed");
      expect(result.stderr).toContain(`${name}: not imported: a symbolic link: not followed`);
    }
    expect(json.skipped).toEqual(expect.arrayContaining([{ name: "d.csv", reason: "notFile" }, { name: "f.csv", reason: "notFile" }]));
    expect(list(inbox)).toEqual(["d.csv", "f.csv"]);
    // Nothing of what the links point to is anywhere: not in a file the job wrote, not on stdout or stderr.
    const passwdLine = readFileSync("/etc/passwd", "utf8").split("\n")[0] ?? "root:";
    const written = filesUnder(root).filter(({ file }) => file !== secretFile);
    for (const leak of [emulator.clientSecret, passwdLine]) {
      expect(result.stdout).not.toContain(leak);
      expect(result.stderr).not.toContain(leak);
      for (const { file, text } of written) expect(text, file).not.toContain(leak);
    }
    expect(readFileSync(secretFile, "utf8")).toBe(emulator.clientSecret);
    expect(emulator.stats().submissions.serialsSubmittedMoreThanOnce).toEqual([]);
  }, 30_000);

  it("a 255-byte name is imported and moved with companions that fit; the file after it is imported too; the next job is clean", async () => {
    const { root, inbox } = makeInbox("long");
    const longName = `${"é".repeat(60)}${"x".repeat(131)}.csv`; // 120 + 131 + 4 = 255 bytes
    expect(Buffer.byteLength(longName)).toBe(255);
    drop(inbox, longName, devicesNamed("HOSTILE-LONG-", 4), 120_000);
    drop(inbox, "after.csv", devicesNamed("HOSTILE-AFTER-", 2), 60_000);
    const result = await runCli(args(root), { env, cwd: root });
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout) as JobJson;
    expect(json.files.map((f) => [f.name, f.outcome])).toEqual([
      [longName, "done"],
      ["after.csv", "done"],
    ]);
    const done = list(path.join(root, "done"));
    expect(done).toHaveLength(4);
    for (const name of done) expect(Buffer.byteLength(name), name).toBeLessThanOrEqual(255);
    const moved = path.basename(json.files[0]?.movedTo ?? "");
    expect(moved.startsWith("é".repeat(60)), "recognisable: it keeps the start of its name").toBe(true);
    expect(moved).toMatch(/~[0-9a-f]{8}\.csv$/);
    expect(done).toContain(`${moved}.report.csv`);
    expect(readCsvReport(path.join(root, "done", `${moved}.report.csv`)).map((r) => r.serialNumber)).toEqual(devicesNamed("HOSTILE-LONG-", 4).map((d) => d.serial));
    expect(list(inbox)).toEqual([]);
    const again = await runCli(args(root), { env, cwd: root });
    expect(again.code, again.stderr).toBe(0);
    expect(emulator.stats().submissions.serialsSubmittedMoreThanOnce).toEqual([]);
  }, 30_000);

  it("names with a newline or an escape sequence are printed escaped (stderr, note), and exactly in --json", async () => {
    const { root, inbox } = makeInbox("names");
    const evil = "evil\n\u001b[31mred\u0007.csv";
    writeFileSync(path.join(inbox, evil), "Serial,Something\r\nX1,y\r\n"); // no hash column: a note is written
    age(path.join(inbox, evil), 60_000);
    const result = await runCli(args(root), { env, cwd: root });
    expect(result.code, result.stderr).toBe(1);
    // eslint-disable-next-line no-control-regex -- the very characters that must not reach the terminal
    expect(result.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
    expect(result.stderr).toContain("evil\\n\\u001b[31mred\\u0007.csv: cannot be read");
    expect(result.stderr.split("\n").filter((line) => line.includes("evil"))).toHaveLength(1);
    const json = JSON.parse(result.stdout) as JobJson;
    expect(json.files[0]?.name).toBe(evil);
    const note = readFileSync(json.files[0]?.note ?? "", "utf8");
    expect(note).toContain("could not read evil\\n\\u001b[31mred\\u0007.csv:");
    expect(note).not.toContain("\u001b");
  }, 30_000);

  itWithPosixModes("an unreadable file (mode 000) goes to failed/ with its reason, the others are imported: exit 1, one line", async () => {
    const { root, inbox } = makeInbox("unreadable");
    const locked = drop(inbox, "locked.csv", devicesNamed("HOSTILE-LOCKED-", 3), 120_000);
    drop(inbox, "fine.csv", devicesNamed("HOSTILE-FINE-", 3), 60_000);
    chmodSync(locked, 0o000);
    const result = await runAsUnprivileged(args(root), env, root, emulator);
    expect(result.code, result.stderr).toBe(1);
    const json = JSON.parse(result.stdout) as JobJson;
    expect(json.stopped).toBeNull();
    expect(json.files).toMatchObject([
      { name: "locked.csv", outcome: "failed", quarantined: true, error: "cannot be read: permission denied", movedTo: path.join(root, "failed", "locked.csv") },
      { name: "fine.csv", outcome: "done", imported: 3 },
    ]);
    expect(result.stderr.split("\n").filter((line) => line.includes("locked.csv"))).toEqual([`locked.csv: not imported: cannot be read: permission denied → failed/locked.csv (note failed/locked.csv.error.txt)`]);
    expect(result.stderr).not.toMatch(/internal error|journaled|EACCES/);
    expect(list(path.join(root, "failed"))).toEqual(["locked.csv", "locked.csv.error.txt"]);
    expect(Object.keys(emulator.stats().submissions.bySerial).some((s) => s.startsWith("HOSTILE-LOCKED-"))).toBe(false);
  }, 30_000);

  itWithPosixModes("a file that cannot be moved (done/ read-only) stays, the job goes on (exit 1); the next job moves it without importing it again", async () => {
    const { root, inbox } = makeInbox("unmovable");
    drop(inbox, "stuck.csv", devicesNamed("HOSTILE-STUCK-", 3), 120_000);
    const mixed = writeCsv(inbox, "mixed.csv", devicesNamed("HOSTILE-MIXED-", 2));
    appendFileSync(mixed, "HOSTILE-MIXED-BAD,,not base64!,\r\n");
    age(mixed, 60_000);
    mkdirSync(path.join(root, "done"));
    chmodSync(path.join(root, "done"), 0o555);
    const first = await runAsUnprivileged(args(root), env, root, emulator);
    expect(first.code, first.stderr).toBe(1);
    const json = JSON.parse(first.stdout) as JobJson;
    expect(json.stopped).toBeNull();
    expect(json.files).toMatchObject([
      { name: "stuck.csv", outcome: "unmoved", rows: 3, imported: 3, movedTo: null },
      { name: "mixed.csv", outcome: "failed", rows: 3, imported: 2 },
    ]);
    expect(json.files[0]?.moveError).toContain("permission denied");
    expect(first.stderr).toContain("stuck.csv: 3 rows: 3 imported; it cannot be moved and stays in the inbox (the next run moves it without importing it again)");
    expect(list(inbox)).toEqual(["stuck.csv"]);

    chmodSync(path.join(root, "done"), 0o755);
    const second = await runAsUnprivileged(args(root), env, root, emulator);
    expect(second.code, second.stderr).toBe(0);
    expect(list(inbox)).toEqual([]);
    expect(list(path.join(root, "done"))).toEqual(["stuck.csv", "stuck.csv.report.csv"]);
    expect(readCsvReport(path.join(root, "done", "stuck.csv.report.csv")).map((r) => r.status)).toEqual(["imported", "imported", "imported"]);
    expect(emulator.stats().submissions.serialsSubmittedMoreThanOnce).toEqual([]);
  }, 40_000);

  it("a state directory on another volume (a real tmpfs): the file is read from a private copy, not a link, and moved as usual", async (context) => {
    const { root, inbox } = makeInbox("volume");
    const stateDir = path.join(root, "state");
    mkdirSync(stateDir);
    try {
      execFileSync("mount", ["-t", "tmpfs", "-o", "size=4m", "tmpfs", stateDir], { stdio: "ignore" });
    } catch {
      context.skip("mounting a tmpfs is not allowed here (needs root and mount rights)");
    }
    try {
      drop(inbox, "far.csv", devicesNamed("HOSTILE-FAR-", 3));
      const result = await runCli(args(root, "--state-dir", stateDir), { env, cwd: root });
      expect(result.code, result.stderr).toBe(0);
      expect(list(path.join(root, "done"))).toEqual(["far.csv", "far.csv.report.csv"]);
      expect(readCsvReport(path.join(root, "done", "far.csv.report.csv")).map((r) => r.status)).toEqual(["imported", "imported", "imported"]);
      expect(existsSync(path.join(stateDir, "inbox", "pickup", "far.csv")), "the private copy is removed").toBe(false);
    } finally {
      execFileSync("umount", [stateDir]);
    }
  }, 30_000);
});

describe("run --inbox, a file written to or deleted during its import (the real CLI)", () => {
  let emulator: EmulatorHandle;
  let env: Record<string, string>;
  beforeAll(async () => {
    // Few writes per emulated 20 s (one real second): a file of 5 uploads takes seconds, time to touch it meanwhile.
    emulator = await startEmulator({ scenario: { seed: 17, clock: { speed: 20 }, throttling: { writesPerWindow: 2, requestsPerWindow: 400 }, processing: { delayMs: 1_000, spreadMs: 1_000, registrationLagMs: 1_000 } } });
    env = { ...emulatorEnv(emulator), AUTOPILOT_IMPORT_LOG_LEVEL: "warn" };
  });
  afterAll(() => emulator?.close());

  const submitted = (prefix: string): number => Object.keys(emulator.stats().submissions.bySerial).filter((s) => s.startsWith(prefix)).length;

  it("appended to after it was taken (a writer that paused longer than --settle): failed/ with a note, never done/; each row read has one outcome", async () => {
    const { root, inbox } = makeInbox("append");
    const file = drop(inbox, "growing.csv", devicesNamed("HOSTILE-GROW-", 50));
    const cli = startCli(args(root, "--batch-size", "10", "--concurrency", "1"), { env, cwd: root });
    await until(() => submitted("HOSTILE-GROW-") > 0, "the first upload");
    appendFileSync(file, devicesNamed("HOSTILE-GROWN-", 50).map((d) => `${d.serial},,${d.hash},\r\n`).join(""));
    const result = await cli.result;
    expect(result.code, result.stderr).toBe(1);
    const json = JSON.parse(result.stdout) as JobJson;
    expect(json.files).toMatchObject([{ name: "growing.csv", outcome: "failed", change: "changed", movedTo: path.join(root, "failed", "growing.csv") }]);
    expect(list(path.join(root, "done"))).toEqual([]);
    expect(readFileSync(path.join(root, "failed", "growing.csv"), "utf8").trim().split("\r\n")).toHaveLength(101);
    expect(readFileSync(path.join(root, "failed", "growing.csv.error.txt"), "utf8")).toContain("changed while it was imported");
    const report = readCsvReport(path.join(root, "failed", "growing.csv.report.csv"));
    expect(report).toHaveLength(json.files[0]?.rows ?? -1);
    expect(new Set(report.map((r) => r.serialNumber)).size).toBe(report.length);
    expect(result.stderr).toContain("growing.csv: ");
    expect(result.stderr).toContain("the file changed during its import, not moved to done/ → failed/growing.csv");
    expect(emulator.stats().submissions.serialsSubmittedMoreThanOnce).toEqual([]);
  }, 60_000);

  it("a file whose journal is garbage goes to failed/ with a note naming the journal; the file after it is imported; the garbage is left as it is", async () => {
    const { root, inbox } = makeInbox("garbage-journal");
    const file = drop(inbox, "first.csv", devicesNamed("HOSTILE-JOURNAL-", 3), 120_000);
    drop(inbox, "second.csv", devicesNamed("HOSTILE-NEXT-", 2), 60_000);
    // The journal the job would open for first.csv (the run key: the content's hash, the tenant, the endpoint).
    const sha256 = createHash("sha256").update(readFileSync(file)).digest("hex");
    const key = runKey([{ sha256 }], normalizeTenant(emulator.tenantId), resolveEndpoints({ cloud: "public", graphUrl: emulator.graphUrl }).graphRoot);
    const journal = journalFile(stateLayout(path.join(root, ".autopilot-import")), key);
    mkdirSync(path.dirname(journal), { recursive: true });
    writeFileSync(journal, "this is not a journal\n".repeat(10));

    const result = await runCli(args(root), { env, cwd: root });
    expect(result.code, result.stderr).toBe(1);
    const json = JSON.parse(result.stdout) as JobJson;
    expect(json.files.map((f) => [f.name, f.outcome, f.quarantined ?? false])).toEqual([
      ["first.csv", "failed", true],
      ["second.csv", "done", false],
    ]);
    const note = readFileSync(path.join(root, "failed", "first.csv.error.txt"), "utf8");
    expect(note).toContain(`its journal ${journal} is not a journal of this tool`);
    expect(note).toContain(`Move ${journal} away, then put the file back into the inbox.`);
    expect(readFileSync(journal, "utf8")).toBe("this is not a journal\n".repeat(10));
    expect(submitted("HOSTILE-JOURNAL-")).toBe(0);
    expect(submitted("HOSTILE-NEXT-")).toBe(2);
  }, 30_000);

  it("a file still being written while it is fingerprinted stays in the inbox for the next job; the file after it is imported", async () => {
    const { root, inbox } = makeInbox("written");
    const file = drop(inbox, "busy.csv", devicesNamed("HOSTILE-BUSY-", 3), 120_000);
    drop(inbox, "calm.csv", devicesNamed("HOSTILE-CALM-", 2), 60_000);
    // A sparse gigabyte (no disk used) makes the fingerprint pass last long enough for the writer to land inside it.
    truncateSync(file, statSync(file).size + 1024 ** 3);
    age(file, 120_000);
    const cli = startCli(args(root), { env, cwd: root });
    await until(() => existsSync(path.join(root, ".autopilot-import", "inbox", "pickup", "busy.csv")), "the pick-up of busy.csv");
    // The writer goes on until the job ends, so it is still writing whenever the fingerprint pass looks.
    while (!cli.exited()) {
      appendFileSync(file, "\n");
      await sleep(20);
    }
    const result = await cli.result;
    const json = JSON.parse(result.stdout) as JobJson;
    expect(json.files.map((f) => [f.name, f.outcome])).toEqual([["calm.csv", "done"]]);
    expect(json.skipped).toEqual(expect.arrayContaining([{ name: "busy.csv", reason: "changing" }]));
    expect(result.stderr).toContain("busy.csv: stays in the inbox; nothing of it was sent, the next run takes it again");
    expect(list(inbox)).toEqual(["busy.csv"]);
    expect(submitted("HOSTILE-BUSY-")).toBe(0);
    expect(result.code, result.stderr).toBe(0);
  }, 60_000);

  it("deleted during its import: reported as vanished with its report in failed/, exit 1, never 'moved to done/'", async () => {
    const { root, inbox } = makeInbox("vanish");
    const file = drop(inbox, "fleeting.csv", devicesNamed("HOSTILE-GONE-", 50));
    const cli = startCli(args(root, "--batch-size", "10", "--concurrency", "1"), { env, cwd: root });
    await until(() => submitted("HOSTILE-GONE-") > 0, "the first upload");
    unlinkSync(file);
    const result = await cli.result;
    expect(result.code, result.stderr).toBe(1);
    const json = JSON.parse(result.stdout) as JobJson;
    expect(json.files).toMatchObject([{ name: "fleeting.csv", outcome: "failed", change: "vanished", movedTo: null, rows: 50, imported: 50, report: path.join(root, "failed", "fleeting.csv.report.csv") }]);
    expect(list(path.join(root, "done"))).toEqual([]);
    expect(list(path.join(root, "failed"))).toEqual(["fleeting.csv.error.txt", "fleeting.csv.report.csv"]);
    expect(readCsvReport(path.join(root, "failed", "fleeting.csv.report.csv"))).toHaveLength(50);
    expect(result.stderr).toContain("fleeting.csv: 50 rows: 50 imported; the file vanished from the inbox during its import (report failed/fleeting.csv.report.csv, note failed/fleeting.csv.error.txt)");
    expect(existsSync(path.join(root, ".autopilot-import", "inbox", "pickup", "fleeting.csv"))).toBe(false);
    expect(emulator.stats().submissions.serialsSubmittedMoreThanOnce).toEqual([]);
  }, 60_000);
});
