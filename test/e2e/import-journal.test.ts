/**
 * importDevices with a journal and the real after-import stage, against the emulator: the sync is triggered once per
 * run (not again when a finished run is run again), and a sync an earlier attempt never got to is triggered.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createPostImportStage } from "../../src/after/post-import.js";
import { importFiles } from "../../src/run/import-files.js";
import { fingerprintFiles, runKey } from "../../src/state/fingerprint.js";
import { openJournal } from "../../src/state/journal.js";
import { devicesNamed, writeCsv } from "../support/device-csv.js";
import { FAST_POLL, harnessRuntime, routeCounts, startAfterHarness, SYNC_ROUTE, type AfterHarness } from "../support/emulator-harness.js";

let h: AfterHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const dir = mkdtempSync(path.join(tmpdir(), "autopilot-import-journal-"));

async function importOnce(t: AfterHarness, file: string, journalFile: string, sync: boolean) {
  const files = await fingerprintFiles([file], dir);
  const key = runKey(files, t.emulator.tenantId, t.emulator.graphUrl);
  const { journal } = await openJournal({ file: journalFile, run: { run: key, files, tenant: t.emulator.tenantId, endpoint: t.emulator.graphUrl, tool: "test" } });
  const runtime = harnessRuntime(t);
  try {
    return (await importFiles({
      files: [file],
      cwd: dir,
      client: t.client,
      journal,
      pollPolicy: FAST_POLL,
      ...runtime,
      postImport: createPostImportStage(t.client, { ...runtime, sync, verifyTimeoutMs: 60_000 }),
    })).summary;
  } finally {
    journal.close();
  }
}

describe("a journaled import's after-import steps", () => {
  it("a finished run run again reports its sync instead of triggering another one", async () => {
    h = await startAfterHarness({ processing: { delayMs: 0, spreadMs: 0 } });
    const file = writeCsv(dir, "sync-once.csv", devicesNamed("ONCE-", 3));
    const journalFile = path.join(dir, "sync-once.jsonl");
    const first = await importOnce(h, file, journalFile, true);
    expect(first).toMatchObject({ imported: 3, registered: 3, sync: { status: "triggered" } });
    const again = await importOnce(h, file, journalFile, true);
    expect(again).toMatchObject({ rows: 3, imported: 3, registered: 3, submitted: 3, sync: { status: "triggered" } });
    expect(again.sync?.message).toContain("by an earlier attempt of this run; not triggered again");
    expect(routeCounts(h.emulator, SYNC_ROUTE)).toEqual({ "204": 1 });
    expect(h.emulator.stats().submissions.serialsSubmittedMoreThanOnce).toEqual([]);
  });

  it("devices an earlier attempt imported still get their sync when that attempt did not trigger it", async () => {
    h = await startAfterHarness({ processing: { delayMs: 0, spreadMs: 0 } });
    const file = writeCsv(dir, "sync-later.csv", devicesNamed("LATER-", 2));
    const journalFile = path.join(dir, "sync-later.jsonl");
    expect(await importOnce(h, file, journalFile, false)).toMatchObject({ imported: 2, sync: { status: "skipped" } });
    const again = await importOnce(h, file, journalFile, true);
    expect(again).toMatchObject({ imported: 2, sync: { status: "triggered" } });
    expect(routeCounts(h.emulator, SYNC_ROUTE)).toEqual({ "204": 1 });
    expect(h.emulator.stats().submissions.total).toBe(2);
  });
});

describe("a sync refused by the 10-minute rule, in a journaled run", () => {
  /** Imports with waiting chosen; `stopInWait` aborts the run once the outcomes are told (so during the wait). */
  async function importWaiting(t: AfterHarness, file: string, journalFile: string, stopInWait: boolean) {
    const files = await fingerprintFiles([file], dir);
    const key = runKey(files, t.emulator.tenantId, t.emulator.graphUrl);
    const { journal } = await openJournal({ file: journalFile, run: { run: key, files, tenant: t.emulator.tenantId, endpoint: t.emulator.graphUrl, tool: "test" } });
    const runtime = harnessRuntime(t);
    const stop = new AbortController();
    const told: string[] = [];
    try {
      return await importFiles({
        files: [file],
        cwd: dir,
        client: t.client,
        journal,
        pollPolicy: FAST_POLL,
        ...runtime,
        signal: stop.signal,
        postImport: createPostImportStage(t.client, { ...runtime, syncWait: true, verifyTimeoutMs: 60_000 }),
        onOutcomes: (summary) => {
          told.push(summary.sync?.message ?? "");
          if (stopInWait) stop.abort("SIGINT");
        },
      }).then((result) => ({ result, told }), (error: unknown) => ({ error, told }));
    } finally {
      journal.close();
    }
  }

  it("the outcomes are told before the wait; a run stopped in the wait is not triggered again when run again", async () => {
    h = await startAfterHarness({ processing: { delayMs: 0, spreadMs: 0 }, sync: { durationMs: 0 } });
    await h.client.request({ method: "POST", path: "/deviceManagement/windowsAutopilotSettings/sync", version: "beta" }); // someone else's, just now
    const file = writeCsv(dir, "sync-stopped.csv", devicesNamed("STOPPEDWAIT-", 2));
    const journalFile = path.join(dir, "sync-stopped.jsonl");
    const first = await importWaiting(h, file, journalFile, true);
    expect(first.told[0]).toMatch(/^refused by the 10-minute rule .*: waiting for it once the report is written/);
    expect(first).toMatchObject({ error: { name: "StoppedAfterOutcomes", summary: { imported: 2, sync: { status: "tooSoon" } } } });
    const again = await importWaiting(h, file, journalFile, false);
    expect(again).toMatchObject({ result: { summary: { imported: 2, sync: { status: "tooSoon" } } } });
    expect((again as { result: { summary: { sync: { message: string } } } }).result.summary.sync.message).toMatch(/^refused by the 10-minute rule in an earlier attempt of this run; it could be run at \S+; not triggered again/);
    expect(routeCounts(h.emulator, SYNC_ROUTE)).toEqual({ "204": 1, "429": 1 });
  });

  it("a wait that ends in a trigger is journaled: run again, it is reported, not triggered", async () => {
    h = await startAfterHarness({ processing: { delayMs: 0, spreadMs: 0 }, sync: { durationMs: 0 } });
    await h.client.request({ method: "POST", path: "/deviceManagement/windowsAutopilotSettings/sync", version: "beta" });
    const file = writeCsv(dir, "sync-waited.csv", devicesNamed("WAITED-", 2));
    const journalFile = path.join(dir, "sync-waited.jsonl");
    const first = await importWaiting(h, file, journalFile, false);
    expect(first).toMatchObject({ result: { summary: { sync: { status: "triggered", message: expect.stringMatching(/^Autopilot sync triggered \(after waiting/) } } } });
    const again = await importWaiting(h, file, journalFile, false);
    expect(again).toMatchObject({ result: { summary: { sync: { status: "triggered", message: expect.stringContaining("by an earlier attempt of this run; not triggered again") } } } });
    expect(routeCounts(h.emulator, SYNC_ROUTE)).toEqual({ "204": 2, "429": 1 });
  });
});
