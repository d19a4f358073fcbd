/** `autopilot-import status --prune`: what it forgot, in words and in --json, and the runs it keeps. */
import { describe, expect, it } from "vitest";
import { openJournal } from "../../../src/state/journal.js";
import { ensureStateDir, journalFile, listJournals, stateLayout } from "../../../src/state/state-dir.js";
import { runInProcess } from "../../support/cli-in-process.js";
import { tempDir } from "../../support/temp-dir.js";
import { runOf, tickingClock } from "../../state/helpers.js";

async function stateWithTwoRuns(): Promise<string> {
  const layout = stateLayout(tempDir());
  ensureStateDir(layout);
  const empty = await openJournal({ file: journalFile(layout, "00000000000000a1"), run: runOf({ run: "00000000000000a1" }), now: tickingClock(), pid: 1, host: "h", outcomeSyncMs: 60_000 });
  empty.journal.close();
  const sent = await openJournal({ file: journalFile(layout, "00000000000000b2"), run: runOf({ run: "00000000000000b2" }), now: tickingClock(), pid: 1, host: "h", outcomeSyncMs: 60_000 });
  sent.journal.uploadPlanned({ id: "u1", createdDateTimeUtc: "2026-01-01T00:00:00Z", status: "noUpload", size: 1, devices: [{ location: { file: "a.csv", line: 2 }, device: { serialNumber: "S1", hardwareIdentifier: "AAAA" } }] });
  sent.journal.close();
  return layout.dir;
}

describe("status --prune", () => {
  it("prints each run it forgot, then the runs that remain", async () => {
    const dir = await stateWithTwoRuns();
    const result = await runInProcess(["status", "--state-dir", dir, "--prune"], {});
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Forgot run 00000000000000a1 \(a\.csv, b\.csv, started [^)]+, not finished\): nothing was submitted/);
    expect(result.stdout).toMatch(/Run 00000000000000b2: not finished/);
    expect(result.stdout).not.toMatch(/Run 00000000000000a1/);
    expect(listJournals(stateLayout(dir)).map((entry) => entry.key)).toEqual(["00000000000000b2"]);
  });

  it("lists them under \"pruned\" with --json, and says so when there is nothing to forget", async () => {
    const dir = await stateWithTwoRuns();
    const json = JSON.parse((await runInProcess(["status", "--state-dir", dir, "--prune", "--json"], {})).stdout) as { pruned: Array<{ run: string }>; runs: Array<{ run: string }> };
    expect(json.pruned.map((p) => p.run)).toEqual(["00000000000000a1"]);
    expect(json.runs.map((r) => r.run)).toEqual(["00000000000000b2"]);
    const again = await runInProcess(["status", "--state-dir", dir, "--prune"], {});
    expect(again.stdout).toContain("Forgot no run: every journaled run submitted something.");
  });

  it("only reads without --prune", async () => {
    const dir = await stateWithTwoRuns();
    await runInProcess(["status", "--state-dir", dir], {});
    expect(listJournals(stateLayout(dir))).toHaveLength(2);
  });
});
