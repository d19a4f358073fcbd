import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { SummaryCounter, SummaryInvariantError, assertSummaryInvariant, formatSummary, registeredLine } from "../../src/pipeline/summary.js";
import type { ImportRowStatus } from "../../src/pipeline/types.js";

const finals: ImportRowStatus[] = ["imported", "already_registered", "updated", "failed", "timeout"];

describe("summary", () => {
  it("accounts for every row whatever the mix of outcomes", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom("invalid", "duplicate", ...finals)), (statuses) => {
        const counter = new SummaryCounter();
        for (const status of statuses) {
          if (status === "invalid" || status === "duplicate") counter.countRow(status);
          else {
            counter.countRow("valid");
            counter.countOutcome(status as ImportRowStatus);
          }
        }
        const summary = counter.toSummary(0, 0);
        assertSummaryInvariant(summary);
        expect(summary.rows).toBe(statuses.length);
      }),
    );
  });

  it("moves a row the after-import stage updated, and counts confirmed registrations", () => {
    const counter = new SummaryCounter();
    for (const status of ["imported", "already_registered", "already_registered"] as const) {
      counter.countRow("valid");
      counter.countOutcome(status);
    }
    counter.countFinished({ status: "imported", registered: "yes" }, "imported");
    counter.countFinished({ status: "updated", registered: "yes" }, "already_registered");
    counter.countFinished({ status: "already_registered", registered: "no" }, "already_registered");
    const summary = counter.toSummary(0, 0, { status: "triggered", message: "Autopilot sync triggered." });
    expect(summary).toMatchObject({ imported: 1, alreadyRegistered: 1, updated: 1, registered: 2 });
    assertSummaryInvariant(summary);
    expect(formatSummary(summary)).toContain("registered in Autopilot: 2 of 3 checked confirmed\nsync: Autopilot sync triggered.\n");
    expect(() => assertSummaryInvariant({ ...summary, registered: 4 })).toThrow(SummaryInvariantError);
  });

  it("detects a valid row without an outcome", () => {
    const counter = new SummaryCounter();
    counter.countRow("valid");
    expect(() => assertSummaryInvariant(counter.toSummary(0, 0))).toThrow(SummaryInvariantError);
  });

  it("prints a short human summary", () => {
    const counter = new SummaryCounter();
    counter.countRow("valid");
    counter.countOutcome("imported");
    counter.submitted = 1;
    counter.uploads = 1;
    expect(formatSummary(counter.toSummary(3, 1500))).toBe(
      "1 row: 1 imported, 0 already registered, 0 failed, 0 timed out; 0 rejected (0 invalid, 0 duplicates)\n" +
        "1 device submitted in 1 upload, 3 Graph requests, 1.5 s\n",
    );
  });

  it("says rejected rows apart from failed ones, in the bar's words", () => {
    const counter = new SummaryCounter();
    for (const status of ["valid", "valid", "invalid", "duplicate", "duplicate"] as const) counter.countRow(status);
    counter.countOutcome("imported");
    counter.countOutcome("failed");
    expect(formatSummary(counter.toSummary(0, 0)).split("\n")[0]).toBe("5 rows: 1 imported, 0 already registered, 1 failed, 0 timed out; 3 rejected (1 invalid, 2 duplicates)");
  });

  it("counts only checked devices in the registered line and names those not checked", () => {
    const counter = new SummaryCounter();
    for (let i = 0; i < 5; i++) counter.countRow("valid");
    // Two imported and checked (one found), one imported and unchecked (the check failed), two already registered (806).
    for (const registered of ["yes", "no", "unchecked"] as const) {
      counter.countOutcome("imported");
      counter.countFinished({ status: "imported", registered }, "imported");
    }
    counter.countOutcome("already_registered");
    counter.countOutcome("already_registered");
    const sync = { status: "skipped" as const, message: "not requested" };
    const summary = counter.toSummary(0, 0, sync);
    expect(summary.checked).toEqual({ imported: 2, existing: 0 });
    expect(registeredLine(summary)).toBe("registered in Autopilot: 1 of 2 checked confirmed; 1 imported and 2 already registered (806) not checked");
    expect(formatSummary(summary)).toContain("registered in Autopilot: 1 of 2 checked confirmed;");
    const none = new SummaryCounter();
    none.countRow("valid");
    none.countOutcome("already_registered");
    expect(registeredLine(none.toSummary(0, 0, sync))).toBe("registered in Autopilot: 1 already registered (806) not checked");
  });
});
