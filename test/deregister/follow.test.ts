/**
 * Following deletions against the emulator on its own clock (waiting moves the emulator's time, so nothing really
 * waits): a record removed after its linger is `deleted`, one lingering past the deadline `pending`; reads are
 * JSON-batched and spaced out.
 */
import { afterEach, describe, expect, it } from "vitest";
import { DeletionFollower, FOLLOW_FIRST_MS, FOLLOW_MAX_MS } from "../../src/deregister/follow.js";
import { BATCH_ROUTE, GET_ROUTE, routeCounts, startAfterHarness, type AfterHarness } from "../support/emulator-harness.js";

let h: AfterHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function follow(harness: AfterHarness, ids: readonly string[], deadlineMs: number): Promise<Map<string, string>> {
  const settled = new Map<string, string>();
  const follower = new DeletionFollower<string>({
    client: harness.client,
    deadlineMs,
    now: harness.now,
    sleep: harness.sleep,
    signal: new AbortController().signal,
    settled: async (followed, result) => {
      settled.set(followed.id, result);
    },
  });
  follower.add(ids.map((id) => ({ id, item: id })));
  await follower.done();
  return settled;
}

describe("DeletionFollower", () => {
  it("reports each record deleted once it answers 404; reads batched and spaced, never a hot loop", async () => {
    h = await startAfterHarness({ processing: { deletionLingerMs: 20_000 } });
    const devices = h.emulator.registerDevices(Array.from({ length: 25 }, (_, i) => ({ serialNumber: `FOL${i}` })));
    for (const device of devices) await h.client.request({ method: "DELETE", path: `/deviceManagement/windowsAutopilotDeviceIdentities/${device.id}` });
    const settled = await follow(h, devices.map((device) => device.id), 10 * 60_000);
    expect([...settled.values()].every((result) => result === "deleted")).toBe(true);
    expect(settled.size).toBe(25);
    // 25 records read in batches of 20 (two per round), a wait between rounds, none longer than the longest interval.
    expect(h.waits.every((ms) => ms > 0 && ms <= FOLLOW_MAX_MS)).toBe(true);
    expect(h.waits.reduce((sum, ms) => sum + ms, 0)).toBeGreaterThanOrEqual(20_000 - FOLLOW_FIRST_MS);
    const reads = routeCounts(h.emulator, GET_ROUTE);
    expect(reads["404"]).toBe(25);
    expect(routeCounts(h.emulator, BATCH_ROUTE)["200"]).toBeLessThanOrEqual(2 * 8);
  });

  it("a record still listed at its deadline is pending, read last at the deadline", async () => {
    h = await startAfterHarness({ processing: { deletionLingerMs: 3_600_000 } });
    const [device] = h.emulator.registerDevices([{ serialNumber: "FOL-SLOW" }]);
    await h.client.request({ method: "DELETE", path: `/deviceManagement/windowsAutopilotDeviceIdentities/${device!.id}` });
    const started = h.now();
    const settled = await follow(h, [device!.id], 60_000);
    expect(settled.get(device!.id)).toBe("pending");
    expect(h.now() - started).toBeGreaterThanOrEqual(60_000);
    expect(h.now() - started).toBeLessThan(60_000 + FOLLOW_MAX_MS);
    // 1 s, then ×1.5 up to 15 s, until the deadline: a handful of reads, not hundreds.
    expect(routeCounts(h.emulator, GET_ROUTE)["200"]).toBeLessThanOrEqual(10);
  });
});
