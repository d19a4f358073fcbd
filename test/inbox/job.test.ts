/**
 * `autopilot-import run --inbox DIR` in this process against the emulator over HTTPS with the real credential: files
 * go to done/ or failed/ with their reports, files being written stay, the sync runs once per job, an unreadable file
 * gets a note, names already taken get a suffix, and a finished import that was never moved is moved without being
 * imported again.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type EmulatorHandle } from "../../src/emulator/index.js";
import { listJournals, stateLayout } from "../../src/state/state-dir.js";
import { devicesNamed, makeHash, readCsvReport, writeCsv } from "../e2e/helpers.js";
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
});
