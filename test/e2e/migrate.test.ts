/**
 * `autopilot-import migrate` end to end: the built CLI between two tenants of one emulator. An import into A keeps its
 * archive; the archive is migrate's input: the devices leave A (deleted, followed until gone), show up in B (imported,
 * one sync in B), an enrolled device stays in A and is not imported; every row has one outcome with both halves; no
 * record is deleted twice and no device submitted twice; no secret and no hash in any output. A file without hashes
 * is refused before anything is sent; the dry run reads only.
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/cli-process.js";
import { makeHash, writeCsv } from "../support/device-csv.js";
import { serialsIn, startMigrateBed, syncsIn, type MigrateBed, type MigrateRow } from "../migrate/bed.js";

const QUICK = {
  clock: { speed: 200 },
  throttling: { enabled: false },
  processing: { delayMs: 500, spreadMs: 500, deletionLingerMs: 30_000 },
  sync: { durationMs: 1_000 },
};
const IMPORT_FAST = ["--verify-timeout", "0", "--cleanup-max-time", "0"];

describe("autopilot-import migrate", () => {
  let bed: MigrateBed;
  beforeAll(async () => {
    bed = await startMigrateBed(QUICK);
  });
  afterAll(() => bed?.close());

  it("moves the archived devices from A to B: gone from A, imported in B with one sync, the enrolled one left in A", async () => {
    const [enrolled] = bed.a.registerDevices([{ serialNumber: "MV-E", managed: true }]);
    const devices = [1, 2, 3].map((i) => ({ serial: `MV-${i}`, hash: makeHash() }));
    writeCsv(bed.dir, "devices.csv", [...devices, { serial: "MV-E", hash: makeHash() }]);
    const imported = await bed.importIntoA(["devices.csv", "--archive", "kept", "--report", "a-import.csv", ...IMPORT_FAST]);
    expect(imported.code, imported.stderr).toBe(0);
    const archive = path.join("kept", readdirSync(path.join(bed.dir, "kept"))[0]!);
    const inA = bed.a.devices().registered.filter((d) => d.serialNumber.startsWith("MV-"));
    expect(inA.map((d) => d.serialNumber).sort()).toEqual(["MV-1", "MV-2", "MV-3", "MV-E"]);
    const syncsA = syncsIn(bed.a);

    const result = await bed.migrate([archive, "--yes", "--report", "moved.jsonl", "--json"]);
    expect(result.code, result.stderr).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ rows: 4, moved: 3, notMoved: 1, invalid: 0, duplicates: 0 });
    expect(result.stderr).toContain(`migrate: 4 rows: 3 moved from ${bed.a.tenantId} to ${bed.b.tenantId}, 1 not moved; report: moved.jsonl`);
    const report = bed.jsonl<MigrateRow>("moved.jsonl");
    expect(report.map((row) => [row.line, row.serialNumber, row.status, row.fromStatus, row.toStatus])).toEqual([
      [2, "MV-1", "moved", "deleted", "imported"],
      [3, "MV-2", "moved", "deleted", "imported"],
      [4, "MV-3", "moved", "deleted", "imported"],
      [5, "MV-E", "not_moved", "enrolled", ""],
    ]);
    expect(report[3]!.toMessage).toMatch(/did not leave/);
    // A keeps only the enrolled device; B holds the three, submitted once each, with one sync.
    expect(serialsIn(bed.a).filter((s) => s.startsWith("MV-"))).toEqual(["MV-E"]);
    expect(serialsIn(bed.b)).toEqual(["MV-1", "MV-2", "MV-3"]);
    expect(bed.b.stats().devices.stagedCreated).toBe(3);
    expect(syncsIn(bed.b)).toBe(1);
    expect(syncsIn(bed.a)).toBe(syncsA);
    for (const device of inA) expect(bed.deletes.get(device.id) ?? 0, device.serialNumber).toBe(device.id === enrolled!.id ? 0 : 1);
    const outputs = `${result.stdout}${result.stderr}${readFileSync(path.join(bed.dir, "moved.jsonl"), "utf8")}`;
    for (const secret of [bed.a.clientSecret, bed.b.clientSecret, ...devices.map((d) => d.hash)]) expect(outputs).not.toContain(secret);

    // Run again: the migration is finished; nothing is deleted or submitted again and the report is the same.
    const again = await bed.migrate([archive, "--yes", "--report", "again.jsonl"]);
    expect(again.code, again.stderr).toBe(1);
    expect(again.stderr).toContain("this migration was finished earlier");
    expect(bed.jsonl<MigrateRow>("again.jsonl")).toEqual(report);
    expect(bed.b.stats().devices.stagedCreated).toBe(3);
    expect([...bed.deletes.values()].every((count) => count === 1)).toBe(true);
  }, 90_000);

  it("refuses a file without hashes before anything is sent, in one line (exit 2)", async () => {
    writeFileSync(path.join(bed.dir, "serials.csv"), "Device Serial Number,Group Tag\r\nNH-1,Tag\r\n");
    const before = [bed.a.stats().requests.total, bed.b.stats().requests.total];
    const result = await bed.migrate(["serials.csv", "--yes", "--report", "nohash.csv"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^autopilot-import: migrate: serials\.csv: missing required column 'Hardware Hash'.*a migration needs the devices' hardware hashes[^\n]*\n$/);
    expect([bed.a.stats().requests.total, bed.b.stats().requests.total]).toEqual(before);
  }, 30_000);

  it("imports nothing into B while a record is still being removed from A; the next run follows it and finishes", async () => {
    const [slow] = bed.a.registerDevices([{ serialNumber: "LG-1" }]);
    writeCsv(bed.dir, "linger.csv", [{ serial: "LG-1", hash: makeHash() }]);
    // A keeps the deleted record listed for an emulated hour; the migration follows it for 2 s only.
    bed.emulator.setScenario({ processing: { deletionLingerMs: 3_600_000 } });
    const staged = bed.b.stats().devices.stagedCreated;
    const first = await bed.migrate(["linger.csv", "--yes", "--deadline", "2s", "--report", "linger-1.jsonl"]);
    expect(first.code, first.stderr).toBe(1);
    expect(first.stderr).toContain(`migrate: 1 device(s) are still being removed from ${bed.a.tenantId}: nothing was imported into ${bed.b.tenantId} yet`);
    expect(bed.jsonl<MigrateRow>("linger-1.jsonl").map((row) => [row.status, row.fromStatus, row.toStatus])).toEqual([["not_moved", "pending", ""]]);
    expect(bed.b.stats().devices.stagedCreated).toBe(staged);
    bed.emulator.clock.advance(3_600_000);
    bed.emulator.setScenario({ processing: QUICK.processing });
    const second = await bed.migrate(["linger.csv", "--yes", "--report", "linger-2.jsonl"]);
    expect(second.code, second.stderr).toBe(0);
    expect(bed.jsonl<MigrateRow>("linger-2.jsonl").map((row) => [row.status, row.fromStatus, row.toStatus])).toEqual([["moved", "deleted", "imported"]]);
    expect(bed.deletes.get(slow!.id)).toBe(1);
    expect(bed.b.stats().devices.stagedCreated).toBe(staged + 1);
  }, 60_000);

  it("refuses to deregister without --yes where nobody can be asked: one line, exit 2, nothing sent", async () => {
    writeCsv(bed.dir, "noyes.csv", [{ serial: "NY-1", hash: makeHash() }]);
    const before = bed.a.stats().requests.total;
    const result = await bed.migrate(["noyes.csv", "--report", "noyes.csv.report"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^autopilot-import: migrate: deregistering in the old tenant needs --yes[^\n]*\n$/);
    expect(bed.a.stats().requests.total).toBe(before);
  }, 30_000);

  it("a sign-in refused by B stops the migration before anything leaves A (exit 3)", async () => {
    bed.a.registerDevices([{ serialNumber: "SB-1" }]);
    writeCsv(bed.dir, "badsecret.csv", [{ serial: "SB-1", hash: makeHash() }]);
    const deletesBefore = bed.a.stats().devices.registeredDeleteRequests;
    const result = await runCli(["migrate", "badsecret.csv", "--yes", "--report", "badsecret.jsonl", ...bed.sides, "--log-level", "error"], {
      env: { ...bed.env, AUTOPILOT_IMPORT_TO_CLIENT_SECRET: "not-the-secret-8Q~wrongwrongwrongwrongwrongwrong" },
      cwd: bed.dir,
    });
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).not.toContain("not-the-secret");
    expect(bed.a.stats().devices.registeredDeleteRequests).toBe(deletesBefore);
    expect(serialsIn(bed.a)).toContain("SB-1");
  }, 30_000);

  it("--dry-run prints the plan and deletes nothing", async () => {
    bed.a.registerDevices([{ serialNumber: "DR-1" }]);
    writeCsv(bed.dir, "dry.csv", [{ serial: "DR-1", hash: makeHash() }, { serial: "DR-NONE", hash: makeHash() }]);
    const deletesBefore = bed.a.stats().devices.registeredDeleteRequests;
    const result = await bed.migrate(["dry.csv", "--dry-run", "--report", "dry-report.csv"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`migrate: plan (dry run): 2 of 2 row(s) would leave ${bed.a.tenantId} and be imported into ${bed.b.tenantId}`);
    expect(bed.a.stats().devices.registeredDeleteRequests).toBe(deletesBefore);
    expect(serialsIn(bed.a)).toContain("DR-1");
  }, 30_000);
});
