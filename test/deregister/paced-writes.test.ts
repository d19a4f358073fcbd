/**
 * Paced writes against the emulator on its own clock: DELETEs go in JSON batches within the write budget, and a
 * throttled item is sent again after Retry-After, so every write ends with its real answer, none with the 429.
 */
import { afterEach, describe, expect, it } from "vitest";
import { WritePacer } from "../../src/after/write-pacer.js";
import { sendPaced } from "../../src/deregister/paced-writes.js";
import { startAfterHarness, type AfterHarness } from "../support/emulator-harness.js";

const DELETE_ROUTE = "DELETE /v1.0/deviceManagement/windowsAutopilotDeviceIdentities/{id}";
let h: AfterHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe("sendPaced", () => {
  it("under the service's throttling every DELETE ends with its own answer (none 429), each record accepted once", async () => {
    h = await startAfterHarness({ throttling: { enabled: true, writesPerWindow: 7, windowSeconds: 20 }, processing: { deletionLingerMs: 0 } });
    const devices = h.emulator.registerDevices(Array.from({ length: 45 }, (_, i) => ({ serialNumber: `PACE${i}` })));
    const missing = "00000000-0000-0000-0000-00000000abcd";
    const ids = [...devices.map((device) => device.id), missing];
    const sent: number[] = [];
    const harness = h;
    const results = await sendPaced(
      { client: harness.client, pacer: new WritePacer({ writes: 100, windowMs: 20_000 }, harness.now()), now: harness.now, sleep: harness.sleep, signal: new AbortController().signal },
      ids.map((id) => ({ method: "DELETE", path: `/deviceManagement/windowsAutopilotDeviceIdentities/${id}` })),
      (indices) => sent.push(...indices),
    );
    expect(results.map((result) => (result.ok ? result.response.status : result.status))).toEqual([...devices.map(() => 204), 404]);
    const counts = harness.emulator.stats().requests.byRoute[DELETE_ROUTE] ?? {};
    expect(counts["429"]).toBeGreaterThan(0);
    expect(counts["204"]).toBe(45);
    expect(harness.emulator.stats().devices.registeredDeleteRequests).toBe(45);
    expect(harness.emulator.devices().registered).toEqual([]);
    // Every index was announced before it went (throttled ones again before their second try).
    expect(new Set(sent).size).toBe(46);
  });

  it("waits for the budget: 60 writes at 20 per 10 s take at least 20 s of the service's time", async () => {
    h = await startAfterHarness({ processing: { deletionLingerMs: 0 } });
    const devices = h.emulator.registerDevices(Array.from({ length: 60 }, (_, i) => ({ serialNumber: `BUDGET${i}` })));
    const harness = h;
    const started = harness.now();
    const results = await sendPaced(
      { client: harness.client, pacer: new WritePacer({ writes: 20, windowMs: 10_000 }, started), now: harness.now, sleep: harness.sleep, signal: new AbortController().signal },
      devices.map((device) => ({ method: "DELETE", path: `/deviceManagement/windowsAutopilotDeviceIdentities/${device.id}` })),
    );
    expect(results.every((result) => result.ok)).toBe(true);
    expect(harness.now() - started).toBeGreaterThanOrEqual(20_000);
    // Whole batches of 20: three $batch calls, not sixty.
    expect(harness.emulator.stats().batches.total).toBe(3);
  });
});
