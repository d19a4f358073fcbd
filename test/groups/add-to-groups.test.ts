/**
 * addDevicesToGroups against the real emulator over HTTPS, on the emulator's clock: Entra objects that lag the
 * registration are waited for (no real waiting), a refused permission is named in each device's cell, and a chunk
 * with existing members falls back to one-by-one adds.
 */
import { afterEach, describe, expect, it } from "vitest";
import { GroupTally, addDevicesToGroups } from "../../src/groups/add-to-groups.js";
import { resolveGroups } from "../../src/groups/resolve-groups.js";
import { harnessRuntime, startAfterHarness, type AfterHarness } from "../support/emulator-harness.js";

const GROUP = "2b7a0c4e-9f1d-4a3b-8c5e-6d7f8a9b0c1d";

describe("addDevicesToGroups", () => {
  let h: AfterHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  const setUp = async (count: number, directory: { deviceLagMs?: number; memberSerials?: string[] } = {}) => {
    h = await startAfterHarness({ directory: { deviceLagMs: directory.deviceLagMs ?? 0, groups: [{ id: GROUP, displayName: "Lab", memberSerials: directory.memberSerials ?? [] }] } });
    const serials = Array.from({ length: count }, (_, i) => `ADD-${String(i).padStart(2, "0")}`);
    const ids = h.emulator.registerDevices(serials.map((serialNumber) => ({ serialNumber }))).map((device) => device.id);
    // Groups named by serial are resolved when the scenario is set: after the devices exist.
    h.emulator.setScenario({ directory: { groups: [{ id: GROUP, displayName: "Lab", memberSerials: directory.memberSerials ?? [] }] } });
    const groups = await resolveGroups(h.client, ["Lab"], new AbortController().signal);
    return { harness: h, ids, groups, tally: new GroupTally() };
  };

  it("waits on the emulator's clock for Entra objects that lag, then adds them in one request", async () => {
    const { harness, ids, groups, tally } = await setUp(3, { deviceLagMs: 45_000 });
    const runtime = { ...harnessRuntime(harness), signal: new AbortController().signal, sleep: harness.sleep };
    const cells = await addDevicesToGroups(harness.client, { groups, entraWaitMs: 120_000, tally }, ids, runtime);
    expect([...cells.values()].map((c) => c.cell)).toEqual(["Lab: added", "Lab: added", "Lab: added"]);
    // 1 s, 2 s, 4 s … until 45 s had passed: the waits grew, and the total stayed within the deadline.
    expect(harness.waits.slice(0, 3)).toEqual([1_000, 2_000, 4_000]);
    expect(harness.waits.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(45_000);
    expect(harness.emulator.directory().memberWrites).toEqual([3]);
    expect(tally.toJSON()).toEqual({ added: 3, alreadyMember: 0, failed: 0, devicesFailed: 0 });
  });

  it("gives up at the deadline: each device's cell says why, nothing is written", async () => {
    const { harness, ids, groups, tally } = await setUp(2, { deviceLagMs: 3_600_000 });
    const runtime = { ...harnessRuntime(harness), signal: new AbortController().signal, sleep: harness.sleep };
    const cells = await addDevicesToGroups(harness.client, { groups, entraWaitMs: 10_000, tally }, ids, runtime);
    // The last wait ends on the deadline (the emulator's clock also runs while requests are answered).
    const waited = harness.waits.reduce((a, b) => a + b, 0);
    expect(waited).toBeLessThanOrEqual(10_000);
    expect(waited).toBeGreaterThan(9_000);
    for (const cell of cells.values()) expect(cell.cell).toMatch(/^not added to Lab: its Entra device \([0-9a-f-]{36}\) was not in the directory within 10 s/);
    expect(tally.toJSON()).toEqual({ added: 0, alreadyMember: 0, failed: 2, devicesFailed: 2 });
    expect(harness.emulator.directory().memberWrites).toEqual([]);
  });

  it("a 403 on the adds names GroupMember.ReadWrite.All in every device's cell", async () => {
    const { harness, ids, groups, tally } = await setUp(2);
    harness.emulator.setScenario({ auth: { grants: { groupMemberPermission: false } } });
    const runtime = { ...harnessRuntime(harness), signal: new AbortController().signal, sleep: harness.sleep };
    const cells = await addDevicesToGroups(harness.client, { groups, entraWaitMs: 0, tally }, ids, runtime);
    for (const cell of cells.values()) {
      expect(cell.failed).toBe(true);
      expect(cell.cell).toContain("Authorization_RequestDenied");
      expect(cell.cell).toContain("GroupMember.ReadWrite.All and Device.Read.All");
    }
    expect(tally.devicesFailed).toBe(2);
  });

  it("25 devices, 3 already members: the clean chunk goes in one PATCH, the other one by one", async () => {
    const { harness, ids, groups, tally } = await setUp(25, { memberSerials: ["ADD-21", "ADD-22", "ADD-23"] });
    const runtime = { ...harnessRuntime(harness), signal: new AbortController().signal, sleep: harness.sleep };
    const cells = await addDevicesToGroups(harness.client, { groups, entraWaitMs: 0, tally }, ids, runtime);
    expect(tally.toJSON()).toEqual({ added: 22, alreadyMember: 3, failed: 0, devicesFailed: 0 });
    expect(harness.emulator.directory().memberWrites).toEqual([20, 1, 1]);
    expect([...cells.values()].filter((c) => c.cell === "Lab: already member")).toHaveLength(3);
    expect(harness.emulator.directory().groups[0]!.memberSerials).toHaveLength(25);
  });
});
