/**
 * waitForProfiles against the emulator over HTTPS, on the emulator's clock (waits advance it): late assignments,
 * devices no profile targets (with the reason), a dynamic group that never catches one, failures, the deadline, and
 * how few requests a wait costs (the emulator counts every GET, $batch items included).
 */
import { afterEach, describe, expect, it } from "vitest";
import type { ScenarioInput } from "../../src/emulator/index.js";
import { waitForProfiles, pollPolicy, type ProfileTarget } from "../../src/profiles/wait.js";
import { harnessRuntime, routeCounts, startAfterHarness, type AfterHarness } from "../support/emulator-harness.js";

const BY_ID = "GET /beta/deviceManagement/windowsAutopilotDeviceIdentities/{id}";
const LISTING = "GET /beta/deviceManagement/windowsAutopilotDeviceIdentities";
const PROFILES = "GET /beta/deviceManagement/windowsAutopilotDeploymentProfiles";
const MINUTE = 60_000;

let h: AfterHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Registers devices through the import action (so their profile timeline starts) and returns them as targets. */
async function register(harness: AfterHarness, devices: ReadonlyArray<{ serial: string; tag?: string }>): Promise<ProfileTarget[]> {
  await harness.client.request({
    method: "POST",
    path: "/deviceManagement/importedWindowsAutopilotDeviceIdentities/import",
    body: {
      importedWindowsAutopilotDeviceIdentities: devices.map((d) => ({ serialNumber: d.serial, groupTag: d.tag ?? "", hardwareIdentifier: Buffer.from(`hash-${d.serial}`).toString("base64") })),
    },
  });
  harness.emulator.clock.advance(1);
  const registered = harness.emulator.devices().registered;
  return devices.map((d) => ({ serialNumber: d.serial, autopilotId: registered.find((r) => r.serialNumber === d.serial)!.id }));
}

const count = (harness: AfterHarness, route: string): number => Object.values(routeCounts(harness.emulator, route)).reduce((a, b) => a + b, 0);
const named = (prefix: string, n: number, tag?: string) => Array.from({ length: n }, (_, i) => ({ serial: `${prefix}${String(i).padStart(3, "0")}`, ...(tag ? { tag } : {}) }));

const TIMELINE: ScenarioInput = {
  processing: { delayMs: 0, spreadMs: 0 },
  profiles: { pendingAfterMs: 2 * MINUTE, assignedAfterMs: 10 * MINUTE, spreadMs: 5 * MINUTE },
};

describe("waitForProfiles", () => {
  it("follows late assignments to the end and says why the others have none, in a few batched rounds", async () => {
    h = await startAfterHarness({
      ...TIMELINE,
      profiles: {
        ...TIMELINE.profiles,
        deploymentProfiles: [{ displayName: "Sales laptops", groupTags: ["Sales"] }],
        neverAssignedSerials: ["SALE003"],
        failedSerials: ["SALE004"],
      },
    });
    const targets = await register(h, [...named("SALE", 30, "Sales"), ...named("KIOS", 5, "Kiosk"), ...named("NOTG", 2)]);
    const rounds: number[] = [];
    const results = await waitForProfiles(h.client, targets, { ...harnessRuntime(h), deadlineMs: 30 * MINUTE, onRound: (settled) => rounds.push(settled) });
    expect(results).toHaveLength(targets.length);
    const bySerial = new Map(targets.map((t, i) => [t.serialNumber, results[i]!]));
    const sales = targets.filter((t) => t.serialNumber.startsWith("SALE") && !["SALE003", "SALE004"].includes(t.serialNumber));
    for (const t of sales) expect(bySerial.get(t.serialNumber)).toMatchObject({ status: "assigned", profileName: "Sales laptops" });
    expect(bySerial.get("SALE004")).toMatchObject({ status: "failed", message: expect.stringContaining("hardwareRequirementsNotMet") });
    expect(bySerial.get("SALE003")).toMatchObject({ status: "notAssigned", profileName: "" });
    expect(bySerial.get("SALE003")!.message).toMatch(/other devices tagged 'Sales' have profile 'Sales laptops': dynamic group rules may still be catching up/);
    expect(bySerial.get("KIOS000")!.message).toMatch(/no profile seems to target group tag 'Kiosk'.*\[OrderID\]:Kiosk/);
    expect(bySerial.get("NOTG000")!.message).toMatch(/no group tag and no profile targets all devices/);
    // Not all settled early: the wait went on to the deadline for the unassigned, growing its waits.
    expect(rounds.length).toBeGreaterThan(3);
    expect(h.waits.every((ms, i) => i === 0 || ms >= h!.waits[i - 1]! || i === h!.waits.length - 1)).toBe(true);
    // Per round one GET per device still followed, 20 to a $batch: far below a loop per device.
    const gets = count(h, BY_ID);
    expect(gets).toBeLessThan(targets.length * rounds.length / 2);
    expect(count(h, "POST /v1.0/$batch") + count(h, "POST /beta/$batch")).toBeLessThanOrEqual(rounds.length * 2);
    expect(count(h, PROFILES)).toBe(1);
  });

  it("at the deadline, devices still being assigned are pending; the out-of-the-box profile targets all devices", async () => {
    h = await startAfterHarness({ ...TIMELINE, profiles: { pendingAfterMs: MINUTE, assignedAfterMs: 60 * MINUTE, spreadMs: 0 } });
    const targets = await register(h, named("LATE", 3));
    const results = await waitForProfiles(h.client, targets, { ...harnessRuntime(h), deadlineMs: 5 * MINUTE });
    expect(results.map((r) => r.status)).toEqual(["pending", "pending", "pending"]);
    expect(results[0]!.message).toMatch(/still being assigned after 5m \(pending\)/);
    h.emulator.clock.advance(60 * MINUTE);
    const later = await waitForProfiles(h.client, targets, { ...harnessRuntime(h), deadlineMs: 0 });
    expect(later.map((r) => [r.status, r.profileName])).toEqual(Array(3).fill(["assigned", "Autopilot default"]));
  });

  it("reads a set that is most of the tenant by one listing per round, and names only the newly assigned by id", async () => {
    h = await startAfterHarness({ ...TIMELINE, profiles: { pendingAfterMs: 0, assignedAfterMs: MINUTE, spreadMs: 0 } });
    const targets = await register(h, named("MANY", 120));
    const results = await waitForProfiles(h.client, targets, { ...harnessRuntime(h), deadlineMs: 10 * MINUTE });
    expect(results.every((r) => r.status === "assigned" && r.profileName === "Autopilot default")).toBe(true);
    const listings = count(h, LISTING);
    expect(listings).toBeGreaterThanOrEqual(1);
    // Each device's name read once, after it was assigned; never one GET per device per round.
    expect(count(h, BY_ID)).toBe(120);
  });

  it("works where $select answers 500: the reads go again without it, batched and listed alike", async () => {
    h = await startAfterHarness({ ...TIMELINE, service: { selectFailsOn: ["registered"] }, profiles: { pendingAfterMs: 0, assignedAfterMs: MINUTE, spreadMs: 0 } });
    const few = await register(h, named("SELF", 3));
    const results = await waitForProfiles(h.client, few, { ...harnessRuntime(h), deadlineMs: 5 * MINUTE });
    expect(results.map((r) => [r.status, r.profileName])).toEqual(Array(3).fill(["assigned", "Autopilot default"]));
    expect(routeCounts(h.emulator, BY_ID)["500"]).toBeGreaterThanOrEqual(1);
    expect(h.client.traits.works("selectWorks")).toBe(false);
  });

  it("a device deleted meanwhile is not_found", async () => {
    h = await startAfterHarness({ ...TIMELINE, processing: { delayMs: 0, spreadMs: 0, deletionLingerMs: 0 } });
    const targets = await register(h, named("GONE", 2));
    await h.client.request({ method: "DELETE", path: `/deviceManagement/windowsAutopilotDeviceIdentities/${targets[0]!.autopilotId}` });
    const results = await waitForProfiles(h.client, targets, { ...harnessRuntime(h), deadlineMs: 0 });
    expect(results.map((r) => r.status)).toEqual(["not_found", "notAssigned"]);
  });
});

describe("pollPolicy", () => {
  it("grows from a 60th of the deadline to a 10th, within 1 s and a minute", () => {
    expect(pollPolicy(30 * MINUTE)).toEqual({ minMs: 30_000, maxMs: 60_000, factor: 1.5 });
    expect(pollPolicy(10_000)).toEqual({ minMs: 1_000, maxMs: 1_000, factor: 1.5 });
    expect(pollPolicy(5 * MINUTE)).toEqual({ minMs: 5_000, maxMs: 30_000, factor: 1.5 });
  });
});
