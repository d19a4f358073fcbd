import { describe, expect, it } from "vitest";
import { cleanupBudget, INTERACTIVE_CLEANUP_MAX_TIME_MS } from "../../../src/cli/config/cleanup-budget.js";

describe("cleanupBudget", () => {
  it("an interactive run without --cleanup-max-time gets the short budget", () => {
    expect(cleanupBudget({ maxTimeMs: 600_000, given: false, interactive: true })).toEqual({ maxTimeMs: INTERACTIVE_CLEANUP_MAX_TIME_MS, source: "interactive" });
    expect(INTERACTIVE_CLEANUP_MAX_TIME_MS).toBe(30_000);
  });
  it("a time given explicitly wins, on a terminal too", () => {
    expect(cleanupBudget({ maxTimeMs: 3_600_000, given: true, interactive: true })).toEqual({ maxTimeMs: 3_600_000, source: "given" });
    expect(cleanupBudget({ maxTimeMs: 0, given: true, interactive: true })).toEqual({ maxTimeMs: 0, source: "given" });
  });
  it("a run without a terminal keeps the default", () => {
    expect(cleanupBudget({ maxTimeMs: 600_000, given: false, interactive: false })).toEqual({ maxTimeMs: 600_000, source: "default" });
  });
});
