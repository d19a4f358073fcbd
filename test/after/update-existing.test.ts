import { afterEach, describe, expect, it } from "vitest";
import { propertyChanges, updateExistingDevices } from "../../src/after/update-existing.js";
import { BATCH_ROUTE, routeCounts, startAfterHarness, UPDATE_ROUTE, type AfterHarness } from "../support/emulator-harness.js";

let h: AfterHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const registeredBySerial = (t: AfterHarness, serial: string) => t.emulator.devices().registered.find((d) => d.serialNumber === serial);

describe("updateExistingDevices against the emulator", () => {
  it("updates changed tags and users, leaves unchanged ones alone, and says why", async () => {
    h = await startAfterHarness();
    h.emulator.registerDevices([
      { serialNumber: "CHANGED-1", groupTag: "Old", userPrincipalName: "old@contoso.com" },
      { serialNumber: "SAME-1", groupTag: "Sales", userPrincipalName: "Ann@Contoso.com" },
      { serialNumber: "USER-1", groupTag: "Kiosk" },
      { serialNumber: "NOTAG-1", groupTag: "Keep" },
      { serialNumber: "CHANGED-10", groupTag: "Other" }, // contains('CHANGED-1') matches it too: not ours
    ]);
    const { results, updates, requests } = await updateExistingDevices(h.client, [
      { serialNumber: "changed-1", groupTag: "New", assignedUserPrincipalName: "new@contoso.com" },
      { serialNumber: "SAME-1", groupTag: "Sales", assignedUserPrincipalName: "ann@contoso.com" },
      { serialNumber: "USER-1", assignedUserPrincipalName: "bob@contoso.com" },
      { serialNumber: "NOTAG-1" },
      { serialNumber: "GONE-1", groupTag: "X" },
    ]);
    expect(results.map((r) => [r.status, r.reason])).toEqual([
      ["updated", "updated"],
      ["already_registered", "unchanged"],
      ["updated", "updated"],
      ["already_registered", "noValues"],
      ["already_registered", "notFound"],
    ]);
    expect(results[0]!.message).toBe("Already registered; updated group tag 'Old' → 'New', user 'old@contoso.com' → 'new@contoso.com'.");
    expect(results[2]!.message).toContain("user '' → 'bob@contoso.com'");

    expect(registeredBySerial(h, "CHANGED-1")).toMatchObject({ groupTag: "New", userPrincipalName: "new@contoso.com" });
    expect(registeredBySerial(h, "CHANGED-10")).toMatchObject({ groupTag: "Other" });
    expect(registeredBySerial(h, "SAME-1")).toMatchObject({ groupTag: "Sales", userPrincipalName: "Ann@Contoso.com" });
    expect(registeredBySerial(h, "USER-1")).toMatchObject({ groupTag: "Kiosk", userPrincipalName: "bob@contoso.com" });
    expect(registeredBySerial(h, "NOTAG-1")).toMatchObject({ groupTag: "Keep" });

    // Two updateDeviceProperties calls; lookups and updates each in one $batch.
    expect(updates).toBe(2);
    expect(routeCounts(h.emulator, UPDATE_ROUTE)).toEqual({ "204": 2 });
    expect(routeCounts(h.emulator, BATCH_ROUTE)).toEqual({ "200": 2 });
    expect(requests).toBe(2);
  });

  it("makes no request at all when the CSV sets nothing to update", async () => {
    h = await startAfterHarness();
    const { results, requests } = await updateExistingDevices(h.client, [{ serialNumber: "A" }, { serialNumber: "B", groupTag: "" }]);
    expect(results.map((r) => r.reason)).toEqual(["noValues", "noValues"]);
    expect(requests).toBe(0);
    expect(h.emulator.stats().requests.total).toBe(0);
  });

  it("reports a failed lookup as already_registered with the reason", async () => {
    h = await startAfterHarness({ faults: { status503: { rate: 1 } } }, { maxAttempts: 1 });
    const { results } = await updateExistingDevices(h.client, [{ serialNumber: "A", groupTag: "T" }]);
    expect(results[0]).toMatchObject({ status: "already_registered", reason: "failed", message: expect.stringContaining("failed") });
  });
});

describe("propertyChanges", () => {
  it("compares only the fields the CSV sets; user names without case", () => {
    expect(propertyChanges({ serialNumber: "S", groupTag: "A" }, { groupTag: "A", userPrincipalName: "x@y" })).toEqual({});
    expect(propertyChanges({ serialNumber: "S", groupTag: "a" }, { groupTag: "A" })).toEqual({ groupTag: "a" });
    expect(propertyChanges({ serialNumber: "S", assignedUserPrincipalName: "X@Y" }, { userPrincipalName: "x@y" })).toEqual({});
    expect(propertyChanges({ serialNumber: "S", groupTag: "T" }, { groupTag: null })).toEqual({ groupTag: "T" });
  });
});
