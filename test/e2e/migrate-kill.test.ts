/**
 * A migration killed (SIGKILL) and run again with the same command: between the two halves (A done, B's sign-in
 * stalled by its token endpoint) and in the middle of the import into B (devices staged, not yet processed). Whatever
 * the moment, the run that follows finishes it: every row has exactly one outcome with both halves, no record in A
 * got a second DELETE, and B received every device exactly once.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeHash, writeCsv } from "../support/device-csv.js";
import { serialsIn, startMigrateBed, syncsIn, type MigrateBed, type MigrateRow } from "../migrate/bed.js";

const PROCESSING = { delayMs: 500, spreadMs: 500, deletionLingerMs: 30_000 };
const QUICK = { clock: { speed: 200 }, throttling: { enabled: false }, processing: PROCESSING, sync: { durationMs: 1_000, minIntervalMs: 0 } };

/** The step the migration's journal records, once there is one. */
function migrationStep(dir: string): string | undefined {
  const root = path.join(dir, ".autopilot-import", "migrate");
  if (!existsSync(root)) return undefined;
  for (const key of readdirSync(root)) {
    const file = path.join(root, key, "migration.json");
    if (existsSync(file)) {
      try {
        return (JSON.parse(readFileSync(file, "utf8")) as { step: string }).step;
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

describe("autopilot-import migrate, killed and resumed", () => {
  let bed: MigrateBed;
  beforeAll(async () => {
    bed = await startMigrateBed(QUICK);
  });
  afterAll(() => bed?.close());

  function seed(prefix: string, count: number): { file: string; ids: string[] } {
    const devices = Array.from({ length: count }, (_, i) => ({ serial: `${prefix}-${i}`, hash: makeHash() }));
    const registered = bed.a.registerDevices(devices.map((d) => ({ serialNumber: d.serial })));
    writeCsv(bed.dir, `${prefix}.csv`, devices);
    return { file: `${prefix}.csv`, ids: registered.map((d) => d.id) };
  }

  function expectMovedOnce(prefix: string, report: MigrateRow[], ids: readonly string[], stagedInB: number): void {
    expect(report.map((row) => [row.serialNumber, row.status, row.fromStatus, row.toStatus])).toEqual(ids.map((_, i) => [`${prefix}-${i}`, "moved", "deleted", "imported"]));
    expect(serialsIn(bed.a).filter((s) => s.startsWith(`${prefix}-`))).toEqual([]);
    expect(serialsIn(bed.b).filter((s) => s.startsWith(`${prefix}-`))).toHaveLength(ids.length);
    for (const id of ids) expect(bed.deletes.get(id), id).toBe(1);
    expect(bed.b.stats().devices.stagedCreated).toBe(stagedInB);
  }

  it("killed between the halves: the next run imports into B without touching A again", async () => {
    const { file, ids } = seed("KB", 3);
    const stagedBefore = bed.b.stats().devices.stagedCreated;
    // B's sign-in is refused twice (503, Retry-After 1 s): the migration sits between its halves long enough to be killed.
    bed.b.setScenario({ faults: { tokenOutage: { requests: 2, kind: "503-retry-after" }, status503RetryAfter: { retryAfterSeconds: 1 } } });
    const first = bed.startMigrate([file, "--yes", "--report", "kb-1.jsonl"]);
    await until(() => migrationStep(bed.dir) === "left", "the old tenant's half to finish");
    first.child.kill("SIGKILL");
    expect((await first.result).signal).toBe("SIGKILL");
    expect(bed.b.stats().devices.stagedCreated).toBe(stagedBefore);
    const deleteRequests = bed.a.stats().devices.registeredDeleteRequests;

    const second = await bed.migrate([file, "--yes", "--report", "kb-2.jsonl"]);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toContain("resuming the migration journaled in");
    expect(bed.a.stats().devices.registeredDeleteRequests).toBe(deleteRequests);
    expectMovedOnce("KB", bed.jsonl<MigrateRow>("kb-2.jsonl"), ids, stagedBefore + 3);
    expect(syncsIn(bed.b)).toBeGreaterThanOrEqual(1);
  }, 60_000);

  it("killed in the middle of the import into B: the next run resumes it and submits nothing again", async () => {
    const { file, ids } = seed("KM", 4);
    const stagedBefore = bed.b.stats().devices.stagedCreated;
    const syncsBefore = syncsIn(bed.b);
    // B processes nothing for an emulated hour: the devices are staged and in progress when the kill comes.
    bed.b.setScenario({ processing: { delayMs: 3_600_000 } });
    const first = bed.startMigrate([file, "--yes", "--report", "km-1.jsonl"]);
    await until(() => bed.b.stats().devices.stagedCreated >= stagedBefore + 4, "the devices to be staged in B");
    first.child.kill("SIGKILL");
    expect((await first.result).signal).toBe("SIGKILL");
    bed.b.setScenario({ processing: PROCESSING });
    bed.emulator.clock.advance(3_600_000);

    const second = await bed.migrate([file, "--yes", "--report", "km-2.jsonl"]);
    expect(second.code, second.stderr).toBe(0);
    expectMovedOnce("KM", bed.jsonl<MigrateRow>("km-2.jsonl"), ids, stagedBefore + 4);
    expect(syncsIn(bed.b)).toBe(syncsBefore + 1);
  }, 60_000);
});
