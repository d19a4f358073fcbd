import { afterEach, describe, expect, it } from "vitest";
import { readAutopilotSettings } from "../../src/after/settings.js";
import { syncSucceeded, triggerAutopilotSync } from "../../src/after/sync.js";
import { SYNC_INTERVAL_MS } from "../../src/after/sync-window.js";
import type { ScenarioInput } from "../../src/emulator/index.js";
import { routeCounts, SETTINGS_ROUTE, startAfterHarness, SYNC_ROUTE, type AfterHarness } from "../support/emulator-harness.js";

let h: AfterHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function harness(sync: NonNullable<ScenarioInput["sync"]> = {}): Promise<AfterHarness> {
  h = await startAfterHarness({ sync: { durationMs: 60_000, ...sync } });
  return h;
}

/** Records a manual sync `agoMs` before now (without POSTing one), as another admin would have. */
async function previousManualSync(t: AfterHarness, agoMs: number): Promise<string> {
  const at = new Date(t.now() - agoMs).toISOString();
  await t.client.request({ method: "PATCH", path: "/deviceManagement/windowsAutopilotSettings", version: "beta", body: { lastManualSyncTriggerDateTime: at } });
  return at;
}

describe("triggerAutopilotSync against the emulator", () => {
  it("204: triggers once and is done", async () => {
    const t = await harness();
    const result = await triggerAutopilotSync(t.client, { now: t.now, sleep: t.sleep });
    expect(result).toMatchObject({ status: "triggered", triggers: 1, waitedMs: 0, message: "Autopilot sync triggered." });
    expect(syncSucceeded(result)).toBe(true);
    expect(routeCounts(t.emulator, SYNC_ROUTE)).toEqual({ "204": 1 });
    expect(t.emulator.stats().sync.triggered).toBe(1);
    expect((await readAutopilotSettings(t.client)).syncStatus).toBe("inProgress");
  });

  it("409: waits for the running sync through the settings, backing off, and does not trigger again", async () => {
    const t = await harness({ durationMs: 60_000 });
    await triggerAutopilotSync(t.client, { now: t.now, sleep: t.sleep }); // someone else's sync, running for 60 s
    const result = await triggerAutopilotSync(t.client, { now: t.now, sleep: t.sleep, poll: { minMs: 10_000, maxMs: 60_000, factor: 2 } });
    expect(result.status).toBe("joined");
    expect(result.settings?.syncStatus).toBe("completed");
    expect(result.triggers).toBe(1);
    expect(t.waits).toEqual([10_000, 20_000, 40_000]);
    expect(routeCounts(t.emulator, SYNC_ROUTE)).toEqual({ "204": 1, "409": 1 });
    expect(routeCounts(t.emulator, SETTINGS_ROUTE)).toEqual({ "200": 3 });
    expect(t.emulator.stats().sync).toMatchObject({ triggered: 1, completed: 1, rejectedInProgress: 1 });
  });

  it("409: a sync still running at the deadline is reported as running, checked last at the deadline", async () => {
    const t = await harness({ durationMs: 30 * 60_000 });
    await triggerAutopilotSync(t.client, { now: t.now, sleep: t.sleep });
    const result = await triggerAutopilotSync(t.client, { now: t.now, sleep: t.sleep, maxWaitMs: 100_000 });
    expect(result).toMatchObject({ status: "running", triggers: 1 });
    expect(result.waitedMs).toBe(t.waits.reduce((a, b) => a + b, 0));
    expect(syncSucceeded(result)).toBe(true);
    // 10 + 20 + 40 s, then what is left up to the deadline (less the emulator's real-time drift).
    expect(t.waits.slice(0, 3)).toEqual([10_000, 20_000, 40_000]);
    expect(t.waits).toHaveLength(4);
    expect(t.waits[3]).toBeGreaterThan(25_000);
    expect(t.waits[3]).toBeLessThanOrEqual(30_000);
  });

  it("409 then a failed sync: triggers ours once more", async () => {
    const t = await harness({ durationMs: 20_000, minIntervalMs: 0, failureRate: 1 });
    await triggerAutopilotSync(t.client, { now: t.now, sleep: t.sleep }); // someone else's sync, which will fail
    t.emulator.setScenario({ sync: { failureRate: 0 } });
    const result = await triggerAutopilotSync(t.client, { now: t.now, sleep: t.sleep });
    expect(result).toMatchObject({ status: "triggered", triggers: 2 });
    expect(routeCounts(t.emulator, SYNC_ROUTE)).toEqual({ "204": 2, "409": 1 });
    expect(t.emulator.stats().sync).toMatchObject({ triggered: 2, failed: 1, rejectedInProgress: 1 });
  });

  it("429 with wait: computes the window from lastManualSyncTriggerDateTime, sleeps once, and POSTs exactly twice", async () => {
    const t = await harness();
    const last = await previousManualSync(t, 2 * 60_000);
    const start = t.now();
    const result = await triggerAutopilotSync(t.client, { now: t.now, sleep: t.sleep, wait: true });
    expect(result).toMatchObject({ status: "triggered", triggers: 2, message: expect.stringMatching(/^Autopilot sync triggered \(after waiting 8 min\)\.$/) });
    expect(routeCounts(t.emulator, SYNC_ROUTE)).toEqual({ "429": 1, "204": 1 });
    expect(t.emulator.stats().sync).toMatchObject({ triggered: 1, rejectedTooSoon: 1 });
    expect(t.waits).toHaveLength(1);
    // The window opens 10 minutes after the last trigger (plus a small margin), about 8 minutes after we started.
    const opens = Date.parse(last) + SYNC_INTERVAL_MS;
    expect(start + t.waits[0]!).toBeGreaterThanOrEqual(opens);
    expect(start + t.waits[0]!).toBeLessThanOrEqual(opens + 10_000);
  });

  it("429 without wait: says when it can be run, after one POST and one settings read", async () => {
    const t = await harness();
    const last = await previousManualSync(t, 60_000);
    const result = await triggerAutopilotSync(t.client, { now: t.now, sleep: t.sleep });
    expect(result.status).toBe("tooSoon");
    expect(result.retryAtSource).toBe("lastManualSyncTrigger");
    expect(Date.parse(result.retryAt!)).toBe(Date.parse(last) + SYNC_INTERVAL_MS + 5_000);
    expect(result.message).toContain(result.retryAt);
    expect(syncSucceeded(result)).toBe(false);
    expect(routeCounts(t.emulator, SYNC_ROUTE)).toEqual({ "429": 1 });
    expect(routeCounts(t.emulator, SETTINGS_ROUTE)).toEqual({ "200": 1 });
    expect(t.waits).toEqual([]);
  });

  it("429 with Retry-After: uses it without reading the settings", async () => {
    const t = await harness({ retryAfterOn429: true });
    await previousManualSync(t, 4 * 60_000);
    const result = await triggerAutopilotSync(t.client, { now: t.now, sleep: t.sleep, wait: true });
    expect(result).toMatchObject({ status: "triggered", triggers: 2 });
    expect(t.waits).toHaveLength(1);
    expect(t.waits[0]).toBeGreaterThanOrEqual(6 * 60_000 - 1_000);
    expect(t.waits[0]).toBeLessThanOrEqual(6 * 60_000 + 1_000);
    expect(routeCounts(t.emulator, SETTINGS_ROUTE)).toEqual({});
    expect(routeCounts(t.emulator, SYNC_ROUTE)).toEqual({ "429": 1, "204": 1 });
  });

  it("429 with wait, but the window opens after the maximum wait: does not wait, one POST", async () => {
    const t = await harness();
    await previousManualSync(t, 60_000);
    const result = await triggerAutopilotSync(t.client, { now: t.now, sleep: t.sleep, wait: true, maxWaitMs: 5 * 60_000 });
    expect(result.status).toBe("tooSoon");
    expect(result.message).toContain("beyond the wait allowed");
    expect(t.waits).toEqual([]);
    expect(routeCounts(t.emulator, SYNC_ROUTE)).toEqual({ "429": 1 });
  });

  it("a second 429 after waiting is reported, not retried again", async () => {
    const t = await harness({ minIntervalMs: 30 * 60_000 }); // the service's window is longer than the documented rule
    await previousManualSync(t, 60_000);
    const result = await triggerAutopilotSync(t.client, { now: t.now, sleep: t.sleep, wait: true, maxWaitMs: 60 * 60_000 });
    expect(result).toMatchObject({ status: "tooSoon", triggers: 2 });
    expect(routeCounts(t.emulator, SYNC_ROUTE)).toEqual({ "429": 2 });
    expect(t.waits).toHaveLength(1);
  });
});
