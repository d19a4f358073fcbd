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
