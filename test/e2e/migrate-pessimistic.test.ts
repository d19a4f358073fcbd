/**
 * `migrate` under the pessimistic profile (fixtures/scenarios/pessimistic.json: deletions lingering 15 minutes, minutes
 * of processing and registration lag, $select failing, $batch 424, odd Retry-After) with lost answers in both tenants
 * (resets and 504s, some after the service applied the request): every device leaves A and lands in B once; a DELETE
 * is sent again only when the answer to the one before was lost.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeHash, writeCsv } from "../support/device-csv.js";
import { PESSIMISTIC } from "../support/profiles.js";
import { serialsIn, startMigrateBed, type MigrateBed, type MigrateRow } from "../migrate/bed.js";

const DEVICES = 30;

describe("migrate, pessimistic profile", () => {
  let bed: MigrateBed;
  beforeAll(async () => {
    bed = await startMigrateBed({
      ...PESSIMISTIC,
      clock: { speed: 500 },
      faults: { reset: { rate: 0.1, tookEffectRatio: 0.6 }, status504: { rate: 0.05, tookEffectRatio: 0.6 } },
    });
  });
  afterAll(() => bed?.close());

  it(`${DEVICES} devices move from A to B through lost answers: each deleted in A and submitted to B once`, async () => {
    const devices = Array.from({ length: DEVICES }, (_, i) => ({ serial: `PM-${i}`, hash: makeHash() }));
    const records = bed.a.registerDevices(devices.map((d) => ({ serialNumber: d.serial })));
    writeCsv(bed.dir, "move.csv", devices);
    const result = await bed.migrate(["move.csv", "--yes", "--json", "--report", "moved.jsonl", "--deadline", "2h"]);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ rows: DEVICES, moved: DEVICES, notMoved: 0 });
    const report = bed.jsonl<MigrateRow>("moved.jsonl");
    expect(report).toHaveLength(DEVICES);
    for (const row of report) expect([row.status, row.fromStatus, row.toStatus]).toEqual(["moved", "deleted", "imported"]);
    expect(serialsIn(bed.a)).toEqual([]);
    expect(serialsIn(bed.b)).toEqual(devices.map((d) => d.serial).sort());
    expect(bed.b.stats().submissions.serialsSubmittedMoreThanOnce).toEqual([]);
    // Each record was deleted; a repeat only follows a $batch or DELETE whose answer was lost (at most 20 per $batch).
    const lostInA = bed.a.stats().faulted.recent.filter((fault) => fault.method !== "GET").length;
    const repeats = records.reduce((sum, record) => {
      const count = bed.deletes.get(record.id) ?? 0;
      expect(count, record.serialNumber).toBeGreaterThanOrEqual(1);
      return sum + count - 1;
    }, 0);
    expect(repeats).toBeLessThanOrEqual(20 * lostInA);
    expect(lostInA + bed.b.stats().faulted.recent.length, "no answer was lost: the faults did not happen").toBeGreaterThan(0);
  }, 120_000);
});
