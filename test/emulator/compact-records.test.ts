/** The compact per-device records (a million are held): derived ids, shared defaults written copy on write. */
import { describe, expect, it } from "vitest";
import { flatUuid } from "../../src/emulator/ids.js";
import { RegisteredRecord } from "../../src/emulator/registered-record.js";
import { SequenceIds } from "../../src/emulator/sequence-ids.js";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("compact emulator records", () => {
  it("sequence ids are version-4 GUIDs that name their sequence number, and only this store's", () => {
    const ids = new SequenceIds();
    const other = new SequenceIds();
    for (const seq of [1, 2, 4095, 1_000_000, 2 ** 40]) {
      const id = ids.format(seq);
      expect(id).toMatch(GUID);
      expect(ids.parse(id)).toBe(seq);
      expect(other.parse(id)).toBeUndefined();
    }
    expect(new Set([1, 2, 3].map((seq) => ids.format(seq))).size).toBe(3);
    for (const foreign of [flatUuid(), "", "not-an-id", `${ids.format(7).slice(0, -1)}g`]) expect(ids.parse(foreign)).toBeUndefined();
  });

  it("registered records share their defaults until one is written, and derive a stable Entra device id", () => {
    const first = new RegisteredRecord(flatUuid(), 1, { serialNumber: "abc-1" }, 0);
    const second = new RegisteredRecord(flatUuid(), 2, { serialNumber: "ABC-2", displayName: "PC-2" }, 0);
    first.displayName = "renamed";
    first.deletionRequestedAt = 5;
    const third = new RegisteredRecord(flatUuid(), 3, { serialNumber: "ABC-3" }, 0);
    expect([first.displayName, second.displayName, third.displayName]).toEqual(["renamed", "PC-2", ""]);
    expect([first.deletionRequestedAt, third.deletionRequestedAt]).toEqual([5, null]);
    expect(first.serialUpper).toBe("ABC-1");
    expect(first.azureAdDeviceId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(first.azureAdDeviceId).toBe(first.azureAdDeviceId);
    expect(new Set([first, second, third].flatMap((record) => [record.id, record.azureAdDeviceId])).size).toBe(6);
  });
});
