import { describe, expect, it } from "vitest";
import { formatPlan, planUploads } from "../../src/pipeline/plan.js";
import type { RowResult } from "../../src/model/device.js";

async function* rows(n: number): AsyncIterable<RowResult> {
  for (let i = 0; i < n; i++) {
    if (i === 3) yield { status: "invalid", location: { file: "a.csv", line: i + 2 }, serialNumber: "X", code: "c", message: "m" };
    else yield { status: "valid", location: { file: "a.csv", line: i + 2 }, device: { serialNumber: `S${i}`, hardwareIdentifier: "AAAA" } };
  }
}

describe("planUploads", () => {
  it("groups valid rows as the import would and keeps each upload's first and last row", async () => {
    const plan = await planUploads(rows(8), 3);
    expect(plan).toMatchObject({ rows: 8, valid: 7, invalid: 1, duplicates: 0, batchSize: 3 });
    expect(plan.uploads.map((u) => [u.size, u.first.serialNumber, u.last.serialNumber])).toEqual([
      [3, "S0", "S2"],
      [3, "S4", "S6"],
      [1, "S7", "S7"],
    ]);
    expect(formatPlan(plan)).toBe(
      "dry run: 8 rows, 7 valid, 1 invalid, 0 duplicates\n" +
        "would submit 7 devices in 3 uploads of up to 3; nothing was sent\n" +
        "  upload 1: 3 devices, a.csv:2 (S0) … a.csv:4 (S2)\n" +
        "  upload 2: 3 devices, a.csv:6 (S4) … a.csv:8 (S6)\n" +
        "  upload 3: 1 devices, a.csv:9 (S7) … a.csv:9 (S7)\n",
    );
  });

  it("abbreviates long plans", async () => {
    const text = formatPlan(await planUploads(rows(40), 2), 4);
    expect(text).toContain("… 16 more uploads …");
    expect(text.trim().split("\n")).toHaveLength(2 + 5);
  });
});
