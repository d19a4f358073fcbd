/** findBySerials against the emulator: exact matches, and the fallbacks when contains() refuses a hyphen. */
import { afterEach, describe, expect, it } from "vitest";
import { findBySerials } from "../../src/after/registered.js";
import { startAfterHarness, type AfterHarness } from "../support/emulator-harness.js";

let h: AfterHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const serialsOf = (found: Awaited<ReturnType<typeof findBySerials>>) => found.map((lookup) => (lookup.ok ? lookup.value.map((d) => d.serialNumber) : "failed"));

describe("findBySerials", () => {
  it("matches exactly (any case), one JSON batch per 20 serials, while contains() takes hyphens", async () => {
    h = await startAfterHarness({ tenant: { registeredDevices: [{ serialNumber: "AB-1" }, { serialNumber: "AB-10" }, { serialNumber: "XY99" }, { serialNumber: "xy99" }] } });
    expect(serialsOf(await findBySerials(h.client, ["ab-1", "XY99", "NONE"]))).toEqual([["AB-1"], ["XY99", "xy99"], []]);
    expect(h.emulator.stats().batches.total).toBe(1);
  });

  it("after contains() refuses a hyphen: serials with a long hyphen-free part use it, the short ones share ONE listing", async () => {
    // Every hyphen-free part under 4 characters: contains() on one would match too much, so only a listing finds them.
    const shortParts = Array.from({ length: 30 }, (_, i) => `AB-${String(i).padStart(3, "0")}-12`);
    h = await startAfterHarness({
      service: { hyphenContains400: true },
      paging: { maxTop: 10 },
      tenant: { registeredDevices: [...shortParts.map((serialNumber) => ({ serialNumber })), { serialNumber: "PF-5CG1234567" }, { serialNumber: "NOHYPHEN" }] },
    });
    const wanted = [...shortParts.slice(0, 25), "PF-5CG1234567", "NOHYPHEN", "ZZ-000-00"];
    const found = await findBySerials(h.client, wanted);
    expect(serialsOf(found)).toEqual([...shortParts.slice(0, 25).map((s) => [s]), ["PF-5CG1234567"], ["NOHYPHEN"], []]);
    const routes = h.emulator.stats().requests.byRoute;
    const listings = Object.entries(routes).filter(([route]) => route.startsWith("GET /v1.0/deviceManagement/windowsAutopilotDeviceIdentities")).reduce((n, [, statuses]) => n + Object.values(statuses).reduce((a, b) => a + b, 0), 0);
    // 28 refused lookups in the first batches, then 1 contains('5CG1234567') and the 4 pages of ONE listing of 32 devices (not 26 listings).
    expect(listings).toBeLessThanOrEqual(28 + 1 + 4 + 1);
  });
});
