import { afterEach, describe, expect, it } from "vitest";
import { verifyRegistration } from "../../src/after/verify.js";
import { BATCH_ROUTE, GET_ROUTE, LIST_ROUTE, routeCounts, stageDevices, startAfterHarness, type AfterHarness } from "../support/emulator-harness.js";

let h: AfterHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const POLL = { minMs: 5_000, maxMs: 60_000, factor: 2 };

describe("verifyRegistration against the emulator", () => {
  it("finds devices that appear late, re-checking with backoff, and gives up on one that never appears at the deadline", async () => {
    h = await startAfterHarness({ processing: { delayMs: 0, spreadMs: 0, registrationLagMs: 30_000 } });
    const [present] = h.emulator.registerDevices([{ serialNumber: "PRESENT-1" }]);
    const staged = await stageDevices(h, ["LATE-1", "LATE-2", "LATE-3"]);
    expect(staged.map((record) => record.state.deviceImportStatus)).toEqual(["complete", "complete", "complete"]);
    const start = h.now();
    const { results, stats } = await verifyRegistration(
      h.client,
      [
        { serialNumber: "PRESENT-1", deviceRegistrationId: present!.id },
        { serialNumber: "LATE-1", deviceRegistrationId: staged[0]!.state.deviceRegistrationId! },
        { serialNumber: "LATE-2", deviceRegistrationId: staged[1]!.state.deviceRegistrationId! },
        { serialNumber: "late-3" }, // id unknown: by serial, case-insensitively
        { serialNumber: "NEVER-1" },
        { serialNumber: "NEVER-2", deviceRegistrationId: "5f0b8bd4-0000-4000-8000-000000000000" },
      ],
      { now: h.now, sleep: h.sleep, maxWaitMs: 120_000, poll: POLL },
    );
    expect(results).toEqual([
      { registered: "yes", deviceId: present!.id },
      { registered: "yes", deviceId: staged[0]!.state.deviceRegistrationId },
      { registered: "yes", deviceId: staged[1]!.state.deviceRegistrationId },
      { registered: "yes", deviceId: staged[2]!.state.deviceRegistrationId },
      { registered: "no" },
      { registered: "no" },
    ]);
    // Waits grow while nothing changes, drop back after the late devices show up, and stop at the deadline.
    expect(h.waits.slice(0, 4)).toEqual([5_000, 10_000, 20_000, 5_000]);
    expect(h.now() - start).toBeGreaterThanOrEqual(120_000);
    expect(h.now() - start).toBeLessThan(125_000);
    // One $batch per round (few devices: targeted lookups), plus one last look by serial for the unknown id.
    expect(stats.byStrategy).toEqual({ targeted: stats.rounds, list: 0 });
    expect(stats.requests).toBe(stats.rounds + 1);
    expect(routeCounts(h.emulator, BATCH_ROUTE)).toEqual({ "200": stats.requests });
    // NEVER-2's id once per round; LATE-1 and LATE-2's in the three rounds before they registered (0, 5 and 15 s).
    expect(routeCounts(h.emulator, GET_ROUTE)["404"]).toBe(stats.rounds + 2 * 3);
  });

  it("many devices: one listing instead of batches", async () => {
    h = await startAfterHarness();
    const devices = h.emulator.registerDevices(Array.from({ length: 60 }, (_, i) => ({ serialNumber: `MANY-${i}` })));
    const { results, stats } = await verifyRegistration(
      h.client,
      devices.map((device) => ({ serialNumber: device.serialNumber, deviceRegistrationId: device.id })),
      { now: h.now, sleep: h.sleep, maxWaitMs: 60_000 },
    );
    expect(results.every((result) => result.registered === "yes")).toBe(true);
    expect(stats).toMatchObject({ rounds: 1, requests: 1, byStrategy: { list: 1, targeted: 0 } });
    expect(routeCounts(h.emulator, BATCH_ROUTE)).toEqual({});
  });

  it("a listing in a tenant far larger than assumed is cut off after what batches would have cost", async () => {
    h = await startAfterHarness({ paging: { maxTop: 10 } });
    h.emulator.registerDevices(Array.from({ length: 500 }, (_, i) => ({ serialNumber: `OTHER-${i}` })));
    const ours = h.emulator.registerDevices(Array.from({ length: 60 }, (_, i) => ({ serialNumber: `OURS-${i}` })));
    const { results, stats } = await verifyRegistration(
      h.client,
      ours.map((device) => ({ serialNumber: device.serialNumber, deviceRegistrationId: device.id })),
      { now: h.now, sleep: h.sleep, maxWaitMs: 60_000 },
    );
    expect(results.every((result) => result.registered === "yes")).toBe(true);
    // 3 pages (the budget: 60 devices in batches of 20), then 3 batches; a full listing would have taken 56 pages.
    expect(routeCounts(h.emulator, LIST_ROUTE)).toEqual({ "200": 3 });
    expect(routeCounts(h.emulator, GET_ROUTE)).toEqual({ "200": 60 });
    expect(routeCounts(h.emulator, BATCH_ROUTE)).toEqual({ "200": 3 });
    expect(stats.requests).toBe(6);
  });

  it("matches serial numbers exactly, not by substring", async () => {
    h = await startAfterHarness();
    const [abc1] = h.emulator.registerDevices([{ serialNumber: "ABC1" }, { serialNumber: "XABC10" }, { serialNumber: "ABC12" }]);
    const { results } = await verifyRegistration(h.client, [{ serialNumber: "abc1" }, { serialNumber: "ABC" }], { now: h.now, sleep: h.sleep, maxWaitMs: 0 });
    expect(results).toEqual([{ registered: "yes", deviceId: abc1!.id }, { registered: "no" }]);
  });

  it("devices it could not look at stay unchecked", async () => {
    h = await startAfterHarness({ faults: { status503: { rate: 1 } } }, { maxAttempts: 1 });
    const { results } = await verifyRegistration(h.client, [{ serialNumber: "ANY-1" }, { serialNumber: "ANY-2", deviceRegistrationId: "x" }], {
      now: h.now,
      sleep: h.sleep,
      maxWaitMs: 0,
    });
    expect(results).toEqual([{ registered: "unchecked" }, { registered: "unchecked" }]);
  });
});
