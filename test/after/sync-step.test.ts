/**
 * The after-import stage's sync in two parts (src/after/sync-step.ts), against the emulator on a driven clock: the
 * first trigger never waits; a refusal by the 10-minute rule with waiting chosen hands back `later`, which waits for
 * the window (shown through the view) and triggers once more; without waiting, or beyond the allowed wait, the
 * outcome says when it can run and what triggers it later; a signal during the wait ends it without an error.
 */
import { afterEach, describe, expect, it } from "vitest";
import { SYNC_LEFT_FOR_LATER, syncNow, type SyncWaitView } from "../../src/after/sync-step.js";
import { routeCounts, startAfterHarness, SYNC_ROUTE, type AfterHarness } from "../support/emulator-harness.js";

let h: AfterHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** A harness whose tenant synced manually `agoMs` ago (another admin), so a trigger now meets the 10-minute rule. */
async function refusedHarness(agoMs: number): Promise<AfterHarness> {
  h = await startAfterHarness({ sync: { durationMs: 0 } });
  const at = new Date(h.now() - agoMs).toISOString();
  await h.client.request({ method: "PATCH", path: "/deviceManagement/windowsAutopilotSettings", version: "beta", body: { lastManualSyncTriggerDateTime: at } });
  return h;
}

function recordingView(): SyncWaitView & { readonly events: string[] } {
  const events: string[] = [];
  return { events, start: (opensAt) => events.push(`start ${new Date(opensAt).toISOString()}`), end: () => events.push("end") };
}

describe("syncNow: the sync never holds back the outcomes", () => {
  it("a 204 is the whole story: no later part", async () => {
    const t = (h = await startAfterHarness({ sync: { durationMs: 0 } }));
    const step = await syncNow(t.client, { wait: true, now: t.now, sleep: t.sleep }, new AbortController().signal);
    expect(step.outcome).toMatchObject({ status: "triggered" });
    expect(step.later).toBeUndefined();
    expect(t.waits).toEqual([]);
  });

  it("refused with waiting chosen: tells when, without waiting; `later` waits for the window and triggers once more", async () => {
    const t = await refusedHarness(4 * 60_000);
    const view = recordingView();
    const step = await syncNow(t.client, { wait: true, now: t.now, sleep: t.sleep, view }, new AbortController().signal);
    expect(step.outcome.status).toBe("tooSoon");
    expect(step.outcome.message).toMatch(/^refused by the 10-minute rule .*it can be run at \S+ \(in 6m5s\): waiting for it once the report is written/);
    expect(t.waits).toEqual([]); // nothing waited yet
    expect(routeCounts(t.emulator, SYNC_ROUTE)).toEqual({ "429": 1 });
    const final = await step.later!(new AbortController().signal);
    expect(final).toMatchObject({ status: "triggered", message: "Autopilot sync triggered (after waiting 6m5s for the 10-minute window)." });
    expect(view.events).toEqual([`start ${step.outcome.retryAt}`, "end"]);
    expect(routeCounts(t.emulator, SYNC_ROUTE)).toEqual({ "204": 1, "429": 1 });
  });

  it("--no-sync-wait: when it can run and what triggers it later; nothing deferred", async () => {
    const t = await refusedHarness(60_000);
    const step = await syncNow(t.client, { wait: false, now: t.now, sleep: t.sleep }, new AbortController().signal);
    expect(step.later).toBeUndefined();
    expect(step.outcome).toMatchObject({ status: "tooSoon", retryAt: expect.any(String) });
    expect(step.outcome.message).toContain(`: ${SYNC_LEFT_FOR_LATER} (--sync-wait waits for it)`);
  });

  it("a window beyond --sync-max-wait is not waited for", async () => {
    const t = await refusedHarness(60_000);
    const step = await syncNow(t.client, { wait: true, maxWaitMs: 60_000, now: t.now, sleep: t.sleep }, new AbortController().signal);
    expect(step.later).toBeUndefined();
    expect(step.outcome.message).toContain(`beyond --sync-max-wait 1m: ${SYNC_LEFT_FOR_LATER}`);
  });

  it("a signal during the wait ends it quietly: not triggered, and says what triggers it later", async () => {
    const t = await refusedHarness(4 * 60_000);
    const view = recordingView();
    const step = await syncNow(t.client, { wait: true, now: t.now, sleep: t.sleep, view }, new AbortController().signal);
    const stop = new AbortController();
    stop.abort("SIGINT");
    const final = await step.later!(stop.signal);
    expect(final.status).toBe("tooSoon");
    expect(final.message).toMatch(/^not triggered: the wait for the window was stopped; it can be run at \S+: 'autopilot-import sync' then triggers it/);
    expect(view.events).toHaveLength(2);
    expect(routeCounts(t.emulator, SYNC_ROUTE)).toEqual({ "429": 1 });
  });
});
