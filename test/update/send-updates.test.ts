/** sendUpdates against the emulator on its own clock: per-item results, 429s paced out, the service's refusals as data. */
import { afterEach, describe, expect, it } from "vitest";
import { WritePacer } from "../../src/after/write-pacer.js";
import { sendUpdates, type WriteRuntime } from "../../src/update/send-updates.js";
import { startAfterHarness, type AfterHarness } from "../support/emulator-harness.js";

describe("sendUpdates", () => {
  let h: AfterHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  const runtime = (harness: AfterHarness, pacer = new WritePacer({ writes: 100, windowMs: 20_000 }, harness.now())): WriteRuntime => ({
    client: harness.client,
    pacer,
    signal: new AbortController().signal,
    now: harness.now,
    sleep: harness.sleep,
  });
  const tag = (to: string) => [{ field: "groupTag" as const, from: "", to }];

  it("answers per device: done, or failed with why (a device gone answers 404 inside the batch)", async () => {
    h = await startAfterHarness({ tenant: { registeredDevices: [{ id: "one", serialNumber: "S-1" }] } });
    const results = await sendUpdates(runtime(h), [{ deviceId: "one", changes: tag("A") }, { deviceId: "gone", changes: tag("A") }]);
    expect(results).toEqual([{ ok: true }, { ok: false, message: "The device is no longer registered (404): nothing was changed." }]);
    expect(h.emulator.devices().registered[0]?.groupTag).toBe("A");
  });

  it("waits out 429s and slows down: every update lands once, none fails", async () => {
    const ids = Array.from({ length: 12 }, (_, i) => `dev-${i}`);
    h = await startAfterHarness({ throttling: { enabled: true, writesPerWindow: 3, windowSeconds: 20 }, tenant: { registeredDevices: ids.map((id) => ({ id, serialNumber: id })) } });
    const pacer = new WritePacer({ writes: 100, windowMs: 20_000 }, h.now());
    const seen: number[] = [];
    const results = await sendUpdates(runtime(h, pacer), ids.map((deviceId) => ({ deviceId, changes: tag("T") })), {
      sending: (batch) => seen.push(...batch),
      settled: () => undefined,
    });
    expect(results.every((result) => result.ok)).toBe(true);
    expect(h.emulator.stats().devices.updatesAcceptedById).toEqual(Object.fromEntries(ids.map((id) => [id, 1])));
    expect(h.emulator.stats().throttled.total).toBeGreaterThan(0);
    expect(pacer.rateShare).toBeLessThan(1);
    expect(h.waits.length).toBeGreaterThan(0);
    // Throttled updates are sent again (each time announced before it goes), so the journal has their intents.
    expect(new Set(seen)).toEqual(new Set(ids.map((_, i) => i)));
  });

  it("a refusal by the service is a failed update with the service's words; the others of the batch still land", async () => {
    h = await startAfterHarness({ tenant: { registeredDevices: [{ id: "one", serialNumber: "S-1" }, { id: "two", serialNumber: "S-2" }] } });
    const results = await sendUpdates(runtime(h), [{ deviceId: "one", changes: tag("x".repeat(129)) }, { deviceId: "two", changes: tag("B") }]);
    expect(results[0]).toMatchObject({ ok: false, message: expect.stringMatching(/^The service refused the update: .*group tag is 129 characters long/) });
    expect(results[1]).toEqual({ ok: true });
    expect(h.emulator.stats().devices.updatesAcceptedById).toEqual({ two: 1 });
  });

  it.each(["clears", "ignored"] as const)("removes a user with unassignUserFromDevice, whatever an empty userPrincipalName does (emptyUserInUpdate %s)", async (emptyUserInUpdate) => {
    h = await startAfterHarness({
      service: { emptyUserInUpdate },
      tenant: { registeredDevices: [{ id: "one", serialNumber: "S-1", userPrincipalName: "ann@contoso.com", groupTag: "Old" }, { id: "two", serialNumber: "S-2", userPrincipalName: "bob@contoso.com" }] },
    });
    const clear = { field: "userPrincipalName" as const, from: "ann@contoso.com", to: "" };
    const results = await sendUpdates(runtime(h), [
      { deviceId: "one", changes: [...tag("New"), clear] },
      { deviceId: "two", changes: [{ ...clear, from: "bob@contoso.com" }] },
    ]);
    expect(results).toEqual([{ ok: true }, { ok: true }]);
    const devices = h.emulator.devices().registered;
    expect(devices.map((d) => [d.id, d.groupTag, d.userPrincipalName])).toEqual([
      ["one", "New", ""],
      ["two", "", ""],
    ]);
    const stats = h.emulator.stats().devices;
    // One updateDeviceProperties (the tag, without the user) and two unassigns: three writes for two devices.
    expect([stats.updatesAcceptedById, stats.userUnassigns]).toEqual([{ one: 1 }, 2]);
  });
});
