import { describe, expect, it } from "vitest";
import { parseGraphTime, SYNC_INTERVAL_MS, syncWindowOpensAt } from "../../src/after/sync-window.js";

const NOW = Date.parse("2026-11-22T12:00:00Z");

describe("syncWindowOpensAt", () => {
  it("opens 10 minutes after the last manual trigger, plus a margin", () => {
    expect(syncWindowOpensAt({ now: NOW, lastManualSyncTriggerDateTime: "2026-11-22T11:57:00Z" })).toEqual({
      opensAt: Date.parse("2026-11-22T12:07:05Z"),
      source: "lastManualSyncTrigger",
    });
  });

  it("uses Retry-After when the service gives it", () => {
    expect(syncWindowOpensAt({ now: NOW, retryAfterMs: 420_000 })).toEqual({ opensAt: NOW + 420_000, source: "retryAfter" });
  });

  it("takes the later of the two when both are known: each is a lower bound", () => {
    const both = { now: NOW, retryAfterMs: 60_000, lastManualSyncTriggerDateTime: "2026-11-22T11:58:00Z", marginMs: 0 };
    expect(syncWindowOpensAt(both)).toEqual({ opensAt: Date.parse("2026-11-22T12:08:00Z"), source: "lastManualSyncTrigger" });
    expect(syncWindowOpensAt({ ...both, retryAfterMs: 900_000 })).toEqual({ opensAt: NOW + 900_000, source: "retryAfter" });
  });

  it("waits a full interval when the service said nothing usable", () => {
    expect(syncWindowOpensAt({ now: NOW })).toEqual({ opensAt: NOW + SYNC_INTERVAL_MS, source: "interval" });
    expect(syncWindowOpensAt({ now: NOW, lastManualSyncTriggerDateTime: "0001-01-01T00:00:00Z" }).source).toBe("interval");
    expect(syncWindowOpensAt({ now: NOW, lastManualSyncTriggerDateTime: "garbage" }).source).toBe("interval");
  });

  it("never trusts a settings-derived time in the past (a skewed clock): waits the minimum", () => {
    expect(syncWindowOpensAt({ now: NOW, lastManualSyncTriggerDateTime: "2026-11-22T11:00:00Z" })).toEqual({ opensAt: NOW + 30_000, source: "lastManualSyncTrigger" });
  });

  it("honours Retry-After exactly, however short (the trigger budget, not a minimum, prevents hammering)", () => {
    expect(syncWindowOpensAt({ now: NOW, retryAfterMs: 1_000 })).toEqual({ opensAt: NOW + 1_000, source: "retryAfter" });
  });

  it("parses Graph times, treating year 0001 as never", () => {
    expect(parseGraphTime("2026-11-22T12:00:00.1234567Z")).toBe(Date.parse("2026-11-22T12:00:00.123Z"));
    expect(parseGraphTime("0001-01-01T00:00:00Z")).toBeUndefined();
    expect(parseGraphTime(null)).toBeUndefined();
  });
});
