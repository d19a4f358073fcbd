import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { TrackedDevices } from "../../src/pipeline/tracked-devices.js";
import type { TrackedDevice } from "../../src/pipeline/types.js";

function device(stagedId: string, line: number, extra: Partial<TrackedDevice> = {}): TrackedDevice {
  return { file: "a.csv", line, serialNumber: `SN${line}`, uploadId: "u1", stagedId, stagedAt: 1_700_000_000_000 + line, status: "unknown", misses: 0, ...extra };
}

describe("pipeline/tracked-devices", () => {
  it("gives back every field of a device, GUID or not, and finds it by its staged id", () => {
    const store = new TrackedDevices();
    const guid = randomUUID();
    const tagged = device(guid, 7, { file: "b.csv", uploadId: "u2", status: "pending", misses: 2, groupTag: "Sales", assignedUserPrincipalName: "a@contoso.com" });
    const plain = device("staged-1", 8);
    store.add(tagged);
    store.add(plain);
    expect(store.size).toBe(2);
    expect(store.device(store.find(guid)!)).toEqual(tagged);
    expect(store.device(store.find("staged-1")!)).toEqual(plain);
    expect(store.find(guid.toUpperCase())).toBeUndefined();
    expect(store.find(randomUUID())).toBeUndefined();
  });

  it("keeps staging order across removals and reuses freed slots, and lists ids per upload", () => {
    const store = new TrackedDevices();
    const ids = Array.from({ length: 3000 }, () => randomUUID());
    ids.forEach((id, i) => store.add(device(id, i + 1, { uploadId: i % 2 === 0 ? "even" : "odd" })));
    for (let i = 0; i < 3000; i += 3) store.remove(store.find(ids[i]!)!);
    const left = ids.filter((_, i) => i % 3 !== 0);
    expect([...store.slots()].map((slot) => store.stagedId(slot))).toEqual(left);
    expect(store.stagedId(store.first()!)).toBe(ids[1]);
    const index = new Map(ids.map((id, i) => [id, i]));
    const byUpload = store.idsIn(["even", "odd"]);
    expect(byUpload.get("even")).toEqual(left.filter((id) => index.get(id)! % 2 === 0));
    expect(byUpload.get("odd")).toEqual(left.filter((id) => index.get(id)! % 2 === 1));
    const later = randomUUID();
    store.add(device(later, 5000));
    expect([...store.slots()].map((slot) => store.stagedId(slot)).at(-1)).toBe(later);
    expect(store.size).toBe(2001);
  });

  it("tells apart GUIDs whose first 31 bits are equal", () => {
    const store = new TrackedDevices();
    const a = "00000000-0000-4000-8000-000000000001";
    const b = "00000001-0000-4000-8000-000000000002"; // the same first 31 bits as a
    store.add(device(a, 1));
    store.add(device(b, 2));
    expect(store.device(store.find(b)!).line).toBe(2);
    store.remove(store.find(a)!);
    expect(store.find(a)).toBeUndefined();
    expect(store.device(store.find(b)!).line).toBe(2);
  });

  it("counts misses, resets them when seen, and tracks a status change", () => {
    const store = new TrackedDevices();
    const id = randomUUID();
    store.add(device(id, 1));
    const slot = store.find(id)!;
    expect(store.miss(slot)).toBe(1);
    expect(store.miss(slot)).toBe(2);
    store.seen(slot);
    expect(store.miss(slot)).toBe(1);
    store.setStatus(slot, "partial");
    expect(store.status(slot)).toBe("partial");
  });

  it("replaces a device tracked again under the same staged id", () => {
    const store = new TrackedDevices();
    const id = randomUUID();
    store.add(device(id, 1));
    store.add(device(id, 2));
    expect(store.size).toBe(1);
    expect(store.device(store.find(id)!).line).toBe(2);
  });
});
