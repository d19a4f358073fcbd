import { describe, expect, it } from "vitest";
import { DuplicateTracker } from "../../src/model/duplicates.js";

const hashA = Buffer.alloc(3000, 1).toString("base64");
const hashB = Buffer.alloc(3000, 2).toString("base64");
const hashC = Buffer.alloc(3000, 3).toString("base64");

describe("duplicate tracking", () => {
  it("reports a repeated serial (any case, any file) with the first occurrence", () => {
    const tracker = new DuplicateTracker();
    expect(tracker.check({ serialNumber: "PF3A", hardwareIdentifier: hashA }, { file: "a.csv", line: 2 })).toBeUndefined();
    expect(tracker.check({ serialNumber: "pf3a", hardwareIdentifier: hashB }, { file: "b.csv", line: 9 })).toEqual({
      code: "duplicate_serial",
      firstSeen: { file: "a.csv", line: 2 },
    });
  });

  it("reports the same hash under another serial", () => {
    const tracker = new DuplicateTracker();
    tracker.check({ serialNumber: "PF3A", hardwareIdentifier: hashA }, { file: "a.csv", line: 2 });
    tracker.check({ serialNumber: "PF3B", hardwareIdentifier: hashB }, { file: "b.csv", line: 3_000_000 });
    expect(tracker.check({ serialNumber: "PF3C", hardwareIdentifier: hashB }, { file: "a.csv", line: 7 })).toEqual({
      code: "duplicate_hash",
      firstSeen: { file: "b.csv", line: 3_000_000 },
    });
  });

  it("does not remember duplicates, so a third copy still points at the first", () => {
    const tracker = new DuplicateTracker();
    tracker.check({ serialNumber: "PF3A", hardwareIdentifier: hashA }, { file: "a.csv", line: 2 });
    tracker.check({ serialNumber: "PF3A", hardwareIdentifier: hashC }, { file: "a.csv", line: 3 });
    expect(tracker.check({ serialNumber: "PF3D", hardwareIdentifier: hashC }, { file: "a.csv", line: 4 })).toBeUndefined();
    expect(tracker.check({ serialNumber: "PF3A", hardwareIdentifier: hashB }, { file: "a.csv", line: 5 })?.firstSeen).toEqual({ file: "a.csv", line: 2 });
    expect(tracker.size).toBe(2);
  });
});
