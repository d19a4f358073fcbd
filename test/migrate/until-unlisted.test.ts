/** Following the old tenant's listing until deleted serials are gone from it, on the emulator's clock (deletions linger 60 s). */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { untilUnlisted } from "../../src/migrate/until-unlisted.js";
import { harnessRuntime, startAfterHarness, type AfterHarness } from "../support/emulator-harness.js";

describe("untilUnlisted", () => {
  let h: AfterHarness;
  beforeEach(async () => {
    h = await startAfterHarness({ processing: { deletionLingerMs: 60_000 } });
  });
  afterEach(() => h?.close());

  async function deleteLingering(serials: readonly string[]): Promise<void> {
    const devices = h.emulator.registerDevices(serials.map((serialNumber) => ({ serialNumber })));
    for (const device of devices) await h.client.request({ method: "DELETE", path: `/deviceManagement/windowsAutopilotDeviceIdentities/${device.id}` });
  }

  it("waits while the deleted records are still listed and returns none once they are gone", async () => {
    await deleteLingering(["UL-1", "UL-2"]);
    const { now, sleep } = harnessRuntime(h);
    const left = await untilUnlisted(h.client, ["UL-1", "ul-2", "UL-NEVER"], { deadlineMs: 600_000, now, sleep: (ms, signal) => sleep(ms, signal), signal: new AbortController().signal });
    expect(left).toEqual([]);
    expect(h.waits.reduce((sum, ms) => sum + ms, 0)).toBeGreaterThanOrEqual(60_000);
    expect(h.waits.every((ms) => ms <= 30_000)).toBe(true);
  });

  it("returns the serials still listed when the deadline passes", async () => {
    await deleteLingering(["UL-3"]);
    const { now, sleep } = harnessRuntime(h);
    const left = await untilUnlisted(h.client, ["UL-3"], { deadlineMs: 10_000, now, sleep: (ms, signal) => sleep(ms, signal), signal: new AbortController().signal });
    expect(left).toEqual(["UL-3"]);
    // Every wait within the deadline (the emulator's clock also runs in real time meanwhile).
    expect(h.waits.reduce((sum, ms) => sum + ms, 0)).toBeGreaterThan(9_000);
    expect(h.waits.reduce((sum, ms) => sum + ms, 0)).toBeLessThanOrEqual(10_000);
  });
});
