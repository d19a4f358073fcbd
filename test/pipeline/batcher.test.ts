import { describe, expect, it } from "vitest";
import { UploadBatcher } from "../../src/pipeline/batcher.js";
import type { PendingDevice } from "../../src/pipeline/types.js";

function device(i: number): PendingDevice {
  return { location: { file: "a.csv", line: i + 2 }, device: { serialNumber: `SN${i}`, hardwareIdentifier: "AAAA" } };
}

function makeBatcher(batchSize: number) {
  let n = 0;
  return new UploadBatcher({ batchSize, newId: () => `upload-${++n}`, now: () => Date.UTC(2025, 0, 2, 3, 4, 5) });
}

describe("UploadBatcher", () => {
  it("emits full uploads in input order and the remainder on flush", () => {
    const batcher = makeBatcher(3);
    const uploads = [];
    for (let i = 0; i < 7; i++) {
      const upload = batcher.add(device(i));
      if (upload) uploads.push(upload);
    }
    const last = batcher.flush();
    if (last) uploads.push(last);
    expect(uploads.map((u) => u.devices.map((d) => d.device.serialNumber))).toEqual([
      ["SN0", "SN1", "SN2"],
      ["SN3", "SN4", "SN5"],
      ["SN6"],
    ]);
    expect(uploads.map((u) => u.id)).toEqual(["upload-1", "upload-2", "upload-3"]);
    expect(uploads.every((u) => u.status === "noUpload" && u.createdDateTimeUtc === "2025-01-02T03:04:05.000Z")).toBe(true);
    expect(uploads.map((u) => u.size)).toEqual([3, 3, 1]);
    expect(batcher.uploads).toBe(3);
  });

  it("flushes nothing when the input ended on a full upload", () => {
    const batcher = makeBatcher(2);
    expect(batcher.add(device(0))).toBeUndefined();
    expect(batcher.add(device(1))?.size).toBe(2);
    expect(batcher.flush()).toBeUndefined();
  });

  it("rejects a batch size that is not a positive integer", () => {
    expect(() => makeBatcher(0)).toThrow(RangeError);
    expect(() => makeBatcher(2.5)).toThrow(RangeError);
  });
});
