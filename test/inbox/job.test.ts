/**
 * `autopilot-import run --inbox DIR` in this process against the emulator over HTTPS with the real credential: files
 * go to done/ or failed/ with their reports, files being written stay, the sync runs once per job, an unreadable file
 * gets a note, names already taken get a suffix, and a finished import that was never moved is moved without being
 * imported again.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emulatorGraphConfig, startEmulator, type EmulatorHandle } from "../../src/emulator/index.js";
import { AdaptiveLimiter } from "../../src/graph/adaptive-limit.js";
import { createGraphClient } from "../../src/graph/create.js";
import { runInboxJob } from "../../src/inbox/job.js";
import { SYNC_DUE_FILE } from "../../src/inbox/job-sync.js";
import { writePlan } from "../../src/inbox/move.js";
import { acquireLock } from "../../src/state/lock-file.js";
import { listJournals, stateLayout } from "../../src/state/state-dir.js";
import { devicesNamed, makeHash, readCsvReport, writeCsv } from "../support/device-csv.js";
import { age, cli, drop, list, makeInbox, submittedTwice } from "./helpers.js";

let emulator: EmulatorHandle;

beforeAll(async () => {
  emulator = await startEmulator({
    scenario: {
      seed: 5,
      clock: { speed: 50 },
      throttling: { enabled: false },
      processing: { delayMs: 5_000, spreadMs: 5_000, registrationLagMs: 5_000 },
      tenant: { registeredDevices: [{ serialNumber: "JOB-806" }] },
      // Every job's sync finishes at once, so the next job's sync is refused by the 10-minute rule only when it runs too soon.
      sync: { durationMs: 0 },
    },
  });
});
afterAll(() => emulator?.close());

interface JobJson {
  inbox: string;
  files: Array<{ name: string; outcome: string; rows: number; imported: number; invalid: number; alreadyRegistered: number; movedTo: string; report: string; note: string | null; error: string | null; resumed: boolean }>;
  skipped: Array<{ name: string; reason: string }>;
  recovered: string[];
  sync: { status: string; message: string };
  stopped: { file: string | null; error: string } | null;
  locked: unknown;
  exitCode: number;
}

const args = (root: string, ...more: string[]): string[] => ["run", "--inbox", root, "--json", "--batch-size", "4", "--verify-timeout", "2m", ...more];

describe("run --inbox", () => {
  it("three files: all good → done/, invalid rows → failed/, .partial stays; reports beside; exactly one sync", async () => {
    const { root, inbox } = makeInbox("three");
    const good = devicesNamed("JOB-GOOD-", 6);
    drop(inbox, "good.csv", [...good, { serial: "JOB-806", hash: makeHash() }], 120_000);
    const mixed = devicesNamed("JOB-MIX-", 3);
    const bad = writeCsv(inbox, "mixed.csv", mixed);
    writeFileSync(bad, `${readFileSync(bad, "utf8")}JOB-MIX-BAD,,not base64!,\r\n`);
    age(bad, 60_000);
    drop(inbox, "later.csv.partial", devicesNamed("JOB-PART-", 2));
    drop(inbox, "notes.md", []);
    const syncsBefore = emulator.stats().sync.triggered;

    const run = await cli(emulator, args(root));
    expect(run.code, run.stderr).toBe(1);
    const json = JSON.parse(run.stdout) as JobJson;
    expect(json.files.map((f) => [f.name, f.outcome])).toEqual([
      ["good.csv", "done"],
      ["mixed.csv", "failed"],
    ]);
    expect(json.files[0]).toMatchObject({ rows: 7, imported: 6, alreadyRegistered: 1, movedTo: path.join(root, "done", "good.csv"), report: path.join(root, "done", "good.csv.report.csv"), note: null });
    expect(json.files[1]).toMatchObject({ rows: 4, imported: 3, invalid: 1, movedTo: path.join(root, "failed", "mixed.csv") });
    expect(json.skipped).toEqual([
      { name: "later.csv.partial", reason: "partial" },
      { name: "notes.md", reason: "extension" },
    ]);
    expect(json.sync.status).toBe("triggered");
    expect(json.stopped).toBeNull();
    expect(json.exitCode).toBe(1);
    expect(emulator.stats().sync.triggered - syncsBefore).toBe(1);

    expect(list(inbox)).toEqual(["later.csv.partial", "notes.md"]);
    expect(list(path.join(root, "done"))).toEqual(["good.csv", "good.csv.report.csv"]);
    expect(list(path.join(root, "failed"))).toEqual(["mixed.csv", "mixed.csv.report.csv"]);
    const goodReport = readCsvReport(path.join(root, "done", "good.csv.report.csv"));
    expect(goodReport.map((r) => [r.file, r.status]).sort()).toEqual([...good.map(() => ["good.csv", "imported"]), ["good.csv", "already_registered"]].sort());
    const mixedReport = readCsvReport(path.join(root, "failed", "mixed.csv.report.csv"));
    expect(mixedReport.map((r) => r.status).sort()).toEqual(["imported", "imported", "imported", "invalid"]);
    // Each file's journal is archived once it is moved: the same content dropped again is imported again.
    expect(listJournals(stateLayout(path.join(root, ".autopilot-import"))).every((j) => j.archived)).toBe(true);
    expect(run.stderr).toMatch(/good\.csv: 7 rows: 6 imported, 1 already registered → done\/good\.csv \(report done\/good\.csv\.report\.csv\)/);
    expect(run.stderr).toContain("later.csv.partial: left in the inbox: still being written");
    expect(submittedTwice(emulator)).toEqual([]);
  });

  it("an empty inbox: exit 0, no sync; a folder that does not exist: exit 2", async () => {
    const { root } = makeInbox("empty");
    const syncsBefore = emulator.stats().sync.triggered;
    const run = await cli(emulator, args(root));
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ files: [], skipped: [], sync: { status: "skipped", message: "skipped: no device was imported" }, exitCode: 0 });
    expect(emulator.stats().sync.triggered).toBe(syncsBefore);
    const missing = await cli(emulator, args(path.join(root, "nope")));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot use the inbox folder .*nope: no such file or directory/);
  });

  it("a file that cannot be read goes to failed/ with a note; a name already in done/ gets a time suffix", async () => {
    const { root, inbox } = makeInbox("unreadable");
    writeFileSync(path.join(inbox, "empty.csv"), "");
    writeFileSync(path.join(inbox, "columns.csv"), "Serial,Model\r\nX1,Y\r\n");
    drop(inbox, "again.csv", devicesNamed("JOB-AGAIN-A-", 2));
    const first = await cli(emulator, args(root, "--no-sync", "--settle", "0"));
    expect(first.code, first.stderr).toBe(1);
    expect(list(path.join(root, "failed"))).toEqual(["columns.csv", "columns.csv.error.txt", "columns.csv.report.csv", "empty.csv", "empty.csv.error.txt", "empty.csv.report.csv"]);
    expect(readFileSync(path.join(root, "failed", "empty.csv.error.txt"), "utf8")).toMatch(/could not read empty\.csv: the file is empty\nNothing from this file was imported\./);
    expect(readFileSync(path.join(root, "failed", "columns.csv.error.txt"), "utf8")).toMatch(/Hardware Hash/);
    const json = JSON.parse(first.stdout) as JobJson;
    expect(json.files.find((f) => f.name === "empty.csv")).toMatchObject({ outcome: "failed", rows: 0, error: "the file is empty", note: path.join(root, "failed", "empty.csv.error.txt") });
    expect(json.sync).toEqual({ status: "skipped", message: "not requested" });

    // The same name again (other devices): done/again.csv is taken, so this one gets the time of its move.
    writeCsv(inbox, "again.csv", devicesNamed("JOB-AGAIN-B-", 2));
    const second = await cli(emulator, args(root, "--no-sync", "--settle", "0"));
    expect(second.code, second.stderr).toBe(0);
    const done = list(path.join(root, "done"));
    expect(done).toHaveLength(4);
    const stamped = done.find((n) => /^again-\d{8}T\d{6}Z\.csv$/.test(n));
    expect(stamped).toBeDefined();
    expect(done).toContain(`${stamped}.report.csv`);
    expect(readCsvReport(path.join(root, "done", `${stamped}.report.csv`)).map((r) => r.serialNumber)).toEqual(["JOB-AGAIN-B-00000", "JOB-AGAIN-B-00001"]);
  });

  it("a file still being written (modified within the settle time, or growing while sampled) stays in the inbox", async () => {
    const { root, inbox } = makeInbox("settle");
    drop(inbox, "fresh.csv", devicesNamed("JOB-FRESH-", 1), 0);
    const growing = drop(inbox, "growing.csv", devicesNamed("JOB-GROW-", 1), 60_000);
    let writes = 0;
    // Appends a row every 100 ms with an old mtime kept (a copy that preserves times): only the size gives it away.
    const writer = setInterval(() => {
      writes += 1;
      writeFileSync(growing, `${readFileSync(growing, "utf8")}JOB-GROW-X${writes},,${makeHash()},\r\n`);
      age(growing, 60_000);
    }, 100);
    try {
      const run = await cli(emulator, args(root, "--settle", "1s"));
      expect(run.code, run.stderr).toBe(0);
      const json = JSON.parse(run.stdout) as JobJson;
      expect(json.files).toEqual([]);
      expect(json.skipped).toEqual([
        { name: "fresh.csv", reason: "young" },
        { name: "growing.csv", reason: "changing" },
      ]);
    } finally {
      clearInterval(writer);
    }
    expect(list(inbox)).toEqual(["fresh.csv", "growing.csv"]);
    expect(emulator.stats().submissions.bySerial["JOB-FRESH-00000"]).toBeUndefined();
  });

  it("a signal while the job waits for files to settle: exit 143 and the JSON object, nothing taken", async () => {
    const { root, inbox } = makeInbox("signal");
    drop(inbox, "devices.csv", devicesNamed("JOB-SIGNAL-", 1));
    const controller = new AbortController();
    setTimeout(() => controller.abort("SIGTERM"), 200);
    const run = await cli(emulator, args(root, "--settle", "30s"), {}, controller.signal);
    expect(run.code, run.stderr).toBe(143);
    expect(JSON.parse(run.stdout)).toMatchObject({ files: [], stopped: { file: null, error: "interrupted by SIGTERM" }, exitCode: 143 });
    expect(list(inbox)).toEqual(["devices.csv"]);
    expect(existsSync(path.join(root, ".autopilot-import", "lock"))).toBe(false);
  });

  it("an import that finished but was never moved (a crash in between) is moved without anything sent again", async () => {
    const { root, inbox } = makeInbox("unmoved");
    const devices = devicesNamed("JOB-UNMOVED-", 5);
    const file = drop(inbox, "devices.csv", devices);
    const stateDir = path.join(root, ".autopilot-import");
    // The same run as the job's (same content, tenant and endpoint), finished by `import` in the inbox's state directory.
    const imported = await cli(emulator, ["import", file, "--report", path.join(root, "first.csv"), "--state-dir", stateDir, "--no-sync"]);
    expect(imported.code, imported.stderr).toBe(0);
    const requestsBefore = emulator.stats().submissions.total;

    const run = await cli(emulator, args(root, "--no-sync"));
    expect(run.code, run.stderr).toBe(0);
    const json = JSON.parse(run.stdout) as JobJson;
    expect(json.files).toMatchObject([{ name: "devices.csv", outcome: "done", imported: 5, resumed: true }]);
    expect(emulator.stats().submissions.total).toBe(requestsBefore);
    expect(readCsvReport(path.join(root, "done", "devices.csv.report.csv")).map((r) => [r.file, r.status])).toEqual(devices.map(() => ["devices.csv", "imported"]));
    expect(existsSync(file)).toBe(false);
    expect(submittedTwice(emulator)).toEqual([]);
  });

  it("a job killed while moving: the next one finishes the moves it planned, archives the journal, imports nothing", async () => {
    const { root, inbox } = makeInbox("recover");
    const devices = devicesNamed("JOB-RECOVER-", 3);
    const file = drop(inbox, "devices.csv", devices);
    const stateDir = path.join(root, ".autopilot-import");
    const first = path.join(root, "first.csv");
    expect((await cli(emulator, ["import", file, "--report", first, "--state-dir", stateDir, "--no-sync"])).code).toBe(0);
    const [journal] = listJournals(stateLayout(stateDir));
    // What the job had done when it died: its report written, the plan on disk, the report moved, the CSV not yet.
    const work = path.join(stateDir, "inbox");
    const report = path.join(work, `${journal!.key}.report.csv`);
    require_mkdir(work);
    copyFileSync(first, report);
    const moves = [
      { from: report, to: path.join(root, "done", "devices.csv.report.csv") },
      { from: file, to: path.join(root, "done", "devices.csv") },
    ];
    writePlan(work, { version: 1, key: journal!.key, name: "devices.csv", outcome: "done", moves });
    require_mkdir(path.join(root, "done"));
    renameSync(report, moves[0]!.to);
    const submittedBefore = emulator.stats().submissions.total;

    const run = await cli(emulator, args(root, "--no-sync"));
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ files: [], recovered: [path.join(root, "done", "devices.csv")] });
    expect(list(path.join(root, "done"))).toEqual(["devices.csv", "devices.csv.report.csv"]);
    expect(list(inbox)).toEqual([]);
    expect(list(work)).toEqual([]);
    expect(listJournals(stateLayout(stateDir)).map((j) => j.archived)).toEqual([true]);
    expect(emulator.stats().submissions.total).toBe(submittedBefore);
    expect(run.stderr).toContain("1 move(s) an earlier job left finished");
  });

  it("the cleanup of staged records runs per file and does not hold the move back", async () => {
    const { root, inbox } = makeInbox("cleanup");
    drop(inbox, "devices.csv", devicesNamed("JOB-CLEAN-", 6));
    const limiter = new AdaptiveLimiter({ max: 2 });
    const client = createGraphClient(
      emulatorGraphConfig(emulator),
      { throttleObserver: limiter },
    );
    const deletedBefore = emulator.stats().devices.stagedDeleted;
    // Watches done/ while the job runs: how many records were deleted when the file got there.
    let deletedAtMove = -1;
    const watcher = setInterval(() => {
      if (deletedAtMove < 0 && existsSync(path.join(root, "done", "devices.csv"))) deletedAtMove = emulator.stats().devices.stagedDeleted - deletedBefore;
    }, 5);
    try {
      const result = await runInboxJob({
        dir: root,
        client,
        limiter,
        target: { tenant: emulator.tenantId, endpoint: emulator.graphUrl },
        batchSize: 3,
        after: { verify: false, verifyTimeoutMs: 0, updateExisting: false, sync: false, syncWait: false, syncMaxWaitMs: 0 },
        // Two deletes a second: the cleanup takes seconds after the report is complete.
        cleanup: { enabled: true, maxTimeMs: Number.POSITIVE_INFINITY, writeLimit: { writes: 2, windowMs: 1_000 } },
        settleMs: 0,
      });
      expect(result.files).toHaveLength(1);
      expect(result.files[0]!.summary.cleanup).toMatchObject({ deleted: 6, remaining: 0 });
      expect(emulator.stats().devices.stagedDeleted - deletedBefore).toBe(6);
      expect(list(path.join(root, "done"))).toEqual(["devices.csv", "devices.csv.report.csv"]);
    } finally {
      clearInterval(watcher);
      client.close();
    }
    expect(deletedAtMove).toBeGreaterThanOrEqual(0);
    expect(deletedAtMove).toBeLessThan(6);
  });

  it("a sync refused by the 10-minute rule stays owed: the next job triggers it even with an empty inbox", async () => {
    const { root, inbox } = makeInbox("owed");
    drop(inbox, "devices.csv", devicesNamed("JOB-OWED-", 2));
    // A sync that ran just now: this job's is refused (tooSoon) and, without waiting, left to the next job.
    expect((await cli(emulator, ["sync"])).code).toBe(0);
    const first = await cli(emulator, args(root, "--no-sync-wait"));
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ sync: { status: "tooSoon" } });
    expect(existsSync(path.join(root, ".autopilot-import", "inbox", SYNC_DUE_FILE))).toBe(true);
    emulator.clock.advance(11 * 60_000);
    const triggered = emulator.stats().sync.triggered;
    const second = await cli(emulator, args(root, "--no-sync-wait"));
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ files: [], sync: { status: "triggered" } });
    expect(emulator.stats().sync.triggered - triggered).toBe(1);
    expect(existsSync(path.join(root, ".autopilot-import", "inbox", SYNC_DUE_FILE))).toBe(false);
    const third = await cli(emulator, args(root));
    expect(JSON.parse(third.stdout)).toMatchObject({ sync: { status: "skipped", message: "skipped: no device was imported" } });
  });

  it("a second job on a locked inbox refuses at once and exits 0, naming the holder", async () => {
    const { root, inbox } = makeInbox("locked");
    drop(inbox, "devices.csv", devicesNamed("JOB-LOCKED-", 1));
    mkdirSync(path.join(root, ".autopilot-import"));
    const lock = acquireLock(path.join(root, ".autopilot-import", "lock"), { command: "run", pid: 1, host: "other-host" });
    try {
      const run = await cli(emulator, args(root));
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toMatch(/another job is working this inbox, nothing to do: the state directory .* is in use by process 1 on host other-host/);
      expect(JSON.parse(run.stdout)).toMatchObject({ files: [], locked: { pid: 1, host: "other-host", command: "run" }, exitCode: 0 });
      expect(list(inbox)).toEqual(["devices.csv"]);
    } finally {
      lock.release();
    }
  });
});

describe("run --inbox: a group tag and assigned user for every file", () => {
  it("--group-tag and --assigned-user (here as variables) win over the files' column and reach Graph; the report says so, with the chosen separator", async () => {
    const { root, inbox } = makeInbox("overrides");
    drop(inbox, "tagged.csv", [
      { serial: "JOB-OVR-1", hash: makeHash(), groupTag: "FromColumn" },
      { serial: "JOB-OVR-2", hash: makeHash() },
    ]);
    const run = await cli(emulator, args(root, "--no-sync"), {
      AUTOPILOT_IMPORT_GROUP_TAG: "Kiosk-Süd",
      AUTOPILOT_IMPORT_ASSIGNED_USER: "kiosk@contoso.com",
      AUTOPILOT_IMPORT_REPORT_DELIMITER: "semicolon",
    });
    expect(run.code, run.stderr).toBe(0);
    for (const serial of ["JOB-OVR-1", "JOB-OVR-2"]) {
      expect(emulator.devices().registered.find((d) => d.serialNumber === serial), serial).toMatchObject({ groupTag: "Kiosk-Süd", userPrincipalName: "kiosk@contoso.com" });
    }
    const report = readCsvReport(path.join(root, "done", "tagged.csv.report.csv"), ";");
    expect(report.sort((a, b) => Number(a.line) - Number(b.line)).map((r) => [r.serialNumber, r.status, r.groupTag, r.assignedUser])).toEqual([
      ["JOB-OVR-1", "imported", "Kiosk-Süd", "kiosk@contoso.com"],
      ["JOB-OVR-2", "imported", "Kiosk-Süd", "kiosk@contoso.com"],
    ]);
  });
});

function require_mkdir(dir: string): void {
  mkdirSync(dir, { recursive: true });
}
