/**
 * `autopilot-import deregister` end to end: the built CLI against the emulator. Exact serials only (a longer serial
 * that contains a listed one is never touched), enrolled devices kept or their Intune record deleted first, the
 * managed-devices permission named when missing, lingering deletions followed until gone or the deadline, --dry-run
 * and the refusal without --yes, throttling under a small write budget, and both profiles. Every row has exactly one
 * report row; no record gets a second DELETE (the emulator sees every request, $batch items included).
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emulatorEnv, type ScenarioInput } from "../../src/emulator/index.js";
import { runCli } from "../support/cli-process.js";
import { PROFILES } from "../support/profiles.js";
import { autopilotDeletes, MANAGED, REGISTERED, registeredSerials, startBed, type DeregisterBed } from "../deregister/bed.js";

const QUICK: ScenarioInput = { clock: { speed: 100 }, throttling: { enabled: false }, processing: { deletionLingerMs: 30_000 } };

describe.each(PROFILES)("autopilot-import deregister ($name profile)", (profile) => {
  let bed: DeregisterBed;
  beforeAll(async () => {
    bed = await startBed(profile.apply(QUICK));
  });
  afterAll(() => bed?.close());

  it("deletes the exact serials listed, keeps enrolled devices, reports not_found, ambiguous, invalid and duplicate rows once each", async () => {
    const p = `${profile.name.slice(0, 3).toUpperCase()}`;
    const [u1, u2, , , e1, a1, a2] = bed.emulator.registerDevices([
      { serialNumber: `${p}-U1` },
      { serialNumber: `${p}-U2` },
      // Contains a listed serial: found by contains(), never deleted.
      { serialNumber: `${p}-U10` },
      { serialNumber: `OTHER${p}1` },
      { serialNumber: `${p}-E1`, managed: true },
      { serialNumber: `${p}-A1` },
      { serialNumber: `${p}-a1` },
    ]);
    bed.list(`${p}.csv`, [`${p}-U1`, ` ${p}-u2 `, `${p}-E1`, `${p}-A1`, `${p}-NONE`, "", `${p}-U1`]);
    const result = await bed.run([`${p}.csv`, "--yes", "--report", `${p}.jsonl`, "--json"]);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toBe(`deregister: 7 rows: 2 deleted, 1 enrolled, 1 not found, 1 ambiguous, 1 invalid, 1 duplicate; report: ${p}.jsonl\n`);
    expect(JSON.parse(result.stdout)).toMatchObject({ rows: 7, deleted: 2, pending: 0, enrolled: 1, notFound: 1, ambiguous: 1, failed: 0, invalid: 1, duplicates: 1, intuneDeleted: 0, missingPermission: null });
    const report = bed.report(`${p}.jsonl`);
    expect(report.map((row) => [row.line, row.status])).toEqual(
      expect.arrayContaining([[2, "deleted"], [3, "deleted"], [4, "enrolled"], [5, "ambiguous"], [6, "not_found"], [7, "invalid"], [8, "duplicate"]]),
    );
    expect(report).toHaveLength(7);
    expect(report.find((row) => row.line === 2)).toMatchObject({ serialNumber: `${p}-U1`, autopilotDeviceId: u1?.id, file: `${p}.csv` });
    expect(report.find((row) => row.line === 3)?.autopilotDeviceId).toBe(u2?.id);
    expect(report.find((row) => row.line === 4)?.message).toMatch(/^Still enrolled in Intune \(managed device [0-9a-f-]{36}\): not deleted; retire or wipe .* --delete-intune-record/);
    expect(report.find((row) => row.line === 5)?.autopilotDeviceId.split(" ").sort()).toEqual([a1?.id, a2?.id].sort());
    expect(registeredSerials(bed.emulator, p)).toEqual([`${p}-A1`, `${p}-E1`, `${p}-U10`, `${p}-a1`].sort());
    expect(registeredSerials(bed.emulator, "OTHER")).toContain(`OTHER${p}1`);
    // One DELETE for each of the two records, none for anyone else's (the enrolled one was not even tried).
    expect([...bed.deletes.keys()].filter((key) => key.startsWith(REGISTERED)).sort()).toEqual([`${REGISTERED}${u1?.id}`, `${REGISTERED}${u2?.id}`].sort());
    expect([autopilotDeletes(bed, u1!.id), autopilotDeletes(bed, u2!.id), autopilotDeletes(bed, e1!.id)]).toEqual([1, 1, 0]);
    expect(`${result.stdout}${result.stderr}${readFileSync(path.join(bed.dir, `${p}.jsonl`), "utf8")}`).not.toContain(bed.emulator.clientSecret);
  }, 30_000);

  it("--delete-intune-record deletes the Intune managed device, then the Autopilot record: exit 0", async () => {
    const p = `${profile.name.slice(0, 3).toUpperCase()}I`;
    const [e1, e2, u1] = bed.emulator.registerDevices([{ serialNumber: `${p}-E1`, managed: true }, { serialNumber: `${p}-E2`, managed: true }, { serialNumber: `${p}-U1` }]);
    const managedBefore = bed.emulator.stats().devices.managedDeleted;
    bed.list(`${p}.csv`, [`${p}-E1`, `${p}-E2`, `${p}-U1`]);
    const result = await bed.run([`${p}.csv`, "--yes", "--delete-intune-record", "--report", `${p}.jsonl`, "--json"]);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ rows: 3, deleted: 3, intuneDeleted: 2 });
    const report = bed.report(`${p}.jsonl`);
    expect(report.map((row) => row.status)).toEqual(["deleted", "deleted", "deleted"]);
    expect(report.find((row) => row.serialNumber === `${p}-E1`)?.intuneDeviceIdDeleted).toBe(e1?.["managedDeviceId"]);
    expect(report.find((row) => row.serialNumber === `${p}-E2`)?.message).toBe(`Deleted (its Intune managed device ${String(e2?.["managedDeviceId"])} was deleted first).`);
    expect(report.find((row) => row.serialNumber === `${p}-U1`)?.intuneDeviceIdDeleted).toBe("");
    expect(bed.emulator.stats().devices.managedDeleted - managedBefore).toBe(2);
    expect(registeredSerials(bed.emulator, p)).toEqual([]);
    expect([e1, e2, u1].map((device) => autopilotDeletes(bed, device!.id))).toEqual([1, 1, 1]);
    expect(bed.deletes.get(`${MANAGED}${String(e1?.["managedDeviceId"])}`)).toBe(1);
  }, 30_000);
});

describe("autopilot-import deregister: permissions, deadlines, safety and throttling", () => {
  let bed: DeregisterBed;
  beforeAll(async () => {
    bed = await startBed(QUICK);
  });
  afterAll(() => bed?.close());

  it("without the managed-devices permission: the permission named in the row and the summary, exit 1, the Autopilot record kept; the service's own refusal is `enrolled`", async () => {
    const [e1, u1] = bed.emulator.registerDevices([{ serialNumber: "PERM-E1", managed: true }, { serialNumber: "PERM-U1" }]);
    bed.emulator.setScenario({ auth: { grants: { managedDevicesPermission: false } } });
    try {
      bed.list("perm.csv", ["PERM-E1", "PERM-U1"]);
      const result = await bed.run(["perm.csv", "--yes", "--delete-intune-record", "--report", "perm.jsonl", "--json"]);
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr).toBe(
        "deregister: 2 rows: 1 deleted, 1 failed; report: perm.jsonl\nderegister: deleting Intune managed devices was refused: the app needs DeviceManagementManagedDevices.ReadWrite.All\n",
      );
      expect(JSON.parse(result.stdout)).toMatchObject({ deleted: 1, failed: 1, missingPermission: "DeviceManagementManagedDevices.ReadWrite.All" });
      const failed = bed.report("perm.jsonl").find((row) => row.serialNumber === "PERM-E1");
      expect(failed).toMatchObject({ status: "failed", autopilotDeviceId: e1?.id, intuneDeviceIdDeleted: "" });
      expect(failed?.message).toMatch(/^Deleting its Intune managed device [0-9a-f-]{36} was refused \(HTTP 403 .*\): the app needs DeviceManagementManagedDevices\.ReadWrite\.All; its Autopilot record was kept\.$/);
      expect(registeredSerials(bed.emulator, "PERM-")).toEqual(["PERM-E1"]);
      expect([autopilotDeletes(bed, e1!.id), autopilotDeletes(bed, u1!.id)]).toEqual([0, 1]);
      // Without --delete-intune-record, enrolment cannot be read (403): the Autopilot DELETE goes, and the service's
      // 400 for an enrolled device is reported as `enrolled`, with its words and what to do.
      const plain = await bed.run(["perm.csv", "--yes", "--report", "perm2.jsonl"]);
      expect(plain.code, plain.stderr).toBe(1);
      const enrolled = bed.report("perm2.jsonl").find((row) => row.serialNumber === "PERM-E1");
      expect(enrolled).toMatchObject({ status: "enrolled", autopilotDeviceId: e1?.id });
      expect(enrolled?.message).toMatch(/^The service refused: the device is still enrolled in Intune \(HTTP 400 BadRequest: The Autopilot device 'PERM-E1' is enrolled in Intune: .*\); retire or wipe/);
      expect(registeredSerials(bed.emulator, "PERM-")).toEqual(["PERM-E1"]);
    } finally {
      bed.emulator.setScenario({ auth: { grants: { managedDevicesPermission: true } } });
    }
  }, 30_000);

  it("a deletion lingering past --deadline is pending (exit 1); the same command again follows it, sends no second DELETE, and reports it deleted", async () => {
    const [slow] = bed.emulator.registerDevices([{ serialNumber: "LING-1" }]);
    bed.emulator.setScenario({ processing: { deletionLingerMs: 3_600_000 } });
    try {
      bed.list("linger.csv", ["LING-1"]);
      const first = await bed.run(["linger.csv", "--yes", "--deadline", "1s", "--report", "linger1.jsonl"]);
      expect(first.code, first.stderr).toBe(1);
      expect(first.stderr).toBe("deregister: 1 row: 0 deleted, 1 pending; report: linger1.jsonl\n");
      expect(bed.report("linger1.jsonl")).toMatchObject([{ status: "pending", autopilotDeviceId: slow?.id }]);
      expect(bed.report("linger1.jsonl")[0]?.message).toMatch(/^The service accepted the deletion; the record was still listed at the deadline \(1s\): check again later/);
      expect(bed.emulator.stats().devices.registeredDeleting).toBeGreaterThanOrEqual(1);
      // The service removes it (an hour of emulated time later): the same command follows it, by GET only.
      bed.emulator.clock.advance(3_600_000);
      const second = await bed.run(["linger.csv", "--yes", "--deadline", "1s", "--report", "linger2.jsonl"]);
      expect(second.code, second.stderr).toBe(0);
      expect(second.stderr).toMatch(/^deregister: resuming the deregister journaled in .*\nderegister: 1 row: 1 deleted; report: linger2.jsonl\n$/);
      expect(bed.report("linger2.jsonl")).toMatchObject([{ status: "deleted", autopilotDeviceId: slow?.id }]);
      expect(autopilotDeletes(bed, slow!.id)).toBe(1);
    } finally {
      bed.emulator.setScenario({ processing: { deletionLingerMs: 30_000 } });
    }
  }, 30_000);

  it("--dry-run reads only: no journal, no DELETE, the report says what would go", async () => {
    const [, e1] = bed.emulator.registerDevices([{ serialNumber: "DRY-U1" }, { serialNumber: "DRY-E1", managed: true }, { serialNumber: "DRY-A1" }, { serialNumber: "dry-a1" }]);
    const before = bed.emulator.stats().devices.registeredDeleteRequests;
    bed.list("dry.csv", ["DRY-U1", "DRY-E1", "DRY-A1", "DRY-NONE"]);
    const stateDir = path.join(bed.dir, "dry-state");
    const plain = await bed.run(["dry.csv", "--dry-run", "--state-dir", stateDir, "--report", "dry.jsonl"]);
    expect(plain.code, plain.stderr).toBe(1);
    expect(plain.stderr).toBe("deregister (dry run): 4 rows: 1 would be deleted, 1 enrolled, 1 not found, 1 ambiguous; report: dry.jsonl\n");
    expect(bed.report("dry.jsonl").map((row) => row.status)).toEqual(expect.arrayContaining(["would_delete", "enrolled", "ambiguous", "not_found"]));
    const withIntune = await bed.run(["dry.csv", "--dry-run", "--delete-intune-record", "--state-dir", stateDir, "--report", "dry2.jsonl"]);
    expect(withIntune.code).toBe(1);
    expect(bed.report("dry2.jsonl").find((row) => row.serialNumber === "DRY-E1")).toMatchObject({
      status: "would_delete",
      autopilotDeviceId: e1?.id,
      message: `Would be deleted, after its Intune managed device ${String(e1?.["managedDeviceId"])}.`,
    });
    expect(bed.emulator.stats().devices.registeredDeleteRequests).toBe(before);
    expect([...bed.deletes.keys()].filter((key) => key.includes(e1!.id))).toEqual([]);
    expect(existsSync(stateDir)).toBe(false);
    expect(registeredSerials(bed.emulator, "DRY-")).toHaveLength(4);
  }, 30_000);

  it("refuses without --yes off a terminal (exit 2, one line, nothing read from Graph), and for a list on standard input", async () => {
    bed.emulator.registerDevices([{ serialNumber: "SAFE-1" }]);
    const requests = bed.emulator.stats().requests.total;
    bed.list("safe.csv", ["SAFE-1"]);
    const refused = await bed.run(["safe.csv", "--report", "safe.jsonl"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(
      "autopilot-import: deregister: refusing to delete without --yes when not at a terminal (stdin and stderr must both be one to confirm): check the list with --dry-run, then add --yes\n",
    );
    const piped = await runCli(["deregister", "-", "--log-level", "warn"], { env: emulatorEnv(bed.emulator), cwd: bed.dir, stdin: "Device Serial Number\nSAFE-1\n" });
    expect(piped.code).toBe(2);
    expect(piped.stderr).toMatch(/^autopilot-import: deregister: the list comes from standard input, so it cannot be confirmed there: add --yes/);
    expect(bed.emulator.stats().requests.total).toBe(requests);
    expect(registeredSerials(bed.emulator, "SAFE-")).toEqual(["SAFE-1"]);
    expect(readdirSync(bed.dir).filter((name) => name.startsWith("safe.jsonl"))).toEqual([]);
  }, 30_000);

  it("under a small write budget the service throttles: Retry-After is honoured, every record deleted once, exit 0", async () => {
    const devices = bed.emulator.registerDevices(Array.from({ length: 30 }, (_, i) => ({ serialNumber: `THR${String(i).padStart(3, "0")}` })));
    // The service allows 10 writes per emulated 20 s (0.2 s real): the 429s come back to the pacer, which waits them out.
    bed.emulator.setScenario({ throttling: { enabled: true, writesPerWindow: 10, windowSeconds: 20 }, service: { retryAfter: "fractional" } });
    const throttledBefore = bed.emulator.stats().throttled.writes;
    const acceptedBefore = bed.emulator.stats().devices.registeredDeleteRequests;
    try {
      bed.list("thr.csv", devices.map((device) => device.serialNumber));
      // Our own budget set high (200 per 2 s) so the test is quick: the emulator's 429s are what slow it down.
      const result = await bed.run(["thr.csv", "--yes", "--write-limit", "200/2s", "--report", "thr.jsonl", "--json"]);
      expect(result.code, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({ rows: 30, deleted: 30, failed: 0 });
      expect(bed.emulator.stats().throttled.writes).toBeGreaterThan(throttledBefore);
      expect(new Set(bed.report("thr.jsonl").map((row) => row.serialNumber)).size).toBe(30);
      expect(registeredSerials(bed.emulator, "THR")).toEqual([]);
    } finally {
      bed.emulator.setScenario({ throttling: { enabled: false }, service: { retryAfter: "seconds" } });
    }
    // Each record's DELETE was accepted once (a repeat on a lingering record would count again): throttled attempts never reached one.
    expect(bed.emulator.stats().devices.registeredDeleteRequests - acceptedBefore).toBe(30);
  }, 30_000);
});
