import path from "node:path";
import { describe, expect, it } from "vitest";
import { deletableStaged, stagedCleanupCounts } from "../../src/state/cleanup-view.js";
import { openJournal } from "../../src/state/journal.js";
import { replayJournal } from "../../src/state/replay.js";
import { tempDir } from "../support/temp-dir.js";
import { outcome, runOf, tickingClock } from "./helpers.js";

describe("the cleanup's view of a run", () => {
  it("deletes records whose outcome is final, keeps those still processing at the deadline and those without an outcome", async () => {
    const file = path.join(tempDir(), "run.jsonl");
    const { journal } = await openJournal({ file, run: runOf(), now: tickingClock(), pid: 42, host: "here", outcomeSyncMs: 60_000 });
    const serials = ["DONE", "FAILED", "SLOW", "WAITING", "GONE"];
    journal.uploadPlanned({
      id: "u1",
      createdDateTimeUtc: "2026-01-01T00:00:00Z",
      status: "noUpload",
      size: serials.length,
      devices: serials.map((serialNumber, i) => ({ location: { file: "a.csv", line: i + 2 }, device: { serialNumber, hardwareIdentifier: "AAAA" } })),
    });
    journal.uploadSubmitted("u1", {
      staged: serials.map((serialNumber, i) => ({ location: { file: "a.csv", line: i + 2 }, serialNumber, stagedId: `staged-${serialNumber}` })),
      rejected: [],
      notStaged: [],
      reconciled: false,
      stagedAt: Date.now(),
    });
    journal.rowOutcome(outcome("a.csv", 2, "DONE", "imported"), "polled");
    journal.rowOutcome(outcome("a.csv", 3, "FAILED", "failed"), "polled");
    journal.rowOutcome(outcome("a.csv", 4, "SLOW", "timeout"), "polled");
    journal.rowOutcome(outcome("a.csv", 6, "GONE", "imported"), "polled");
    journal.stagedDeleted(["staged-GONE"]);
    journal.close();

    const { state } = await replayJournal(file);
    expect(deletableStaged(state)).toEqual(["staged-DONE", "staged-FAILED"]);
    expect(stagedCleanupCounts(state)).toEqual({ deleted: 1, remaining: 2, awaitingOutcome: 2 });
  });
});
