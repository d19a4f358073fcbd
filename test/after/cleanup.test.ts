/**
 * The cleanup of staged records against the emulator over HTTPS (real credential, real Graph client), on the
 * emulator's clock: only this run's records go, each after its outcome is journaled and reported; deletes never
 * delay a submission; a time limit leaves the rest journaled for `cleanupRuns`, which finishes them.
 */
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { createStagedCleanup, deleteStagedRecords, STAGED_PATH } from "../../src/after/cleanup.js";
import { cleanupRuns } from "../../src/after/cleanup-runs.js";
import { createPostImportStage } from "../../src/after/post-import.js";
import { importDevices, type ReportSink } from "../../src/pipeline/import-devices.js";
import type { RowResult } from "../../src/model/device.js";
import type { ImportReportRow } from "../../src/pipeline/types.js";
import { decodeLine } from "../../src/state/codec.js";
import { normalizeTenant } from "../../src/state/fingerprint.js";
import { openJournal, type FileJournal } from "../../src/state/journal.js";
import type { JournalRecord } from "../../src/state/records.js";
import { replayJournal } from "../../src/state/replay.js";
import { ensureStateDir, journalFile, stateLayout } from "../../src/state/state-dir.js";
import { FAST_POLL, harnessRuntime, routeCounts, startAfterHarness, type AfterHarness } from "../support/emulator-harness.js";
import { tempDir } from "../support/temp-dir.js";

const DELETE_ROUTE = "DELETE /v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities/{id}";
const IMPORT_ROUTE = "POST /v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities/import";
const FILE = "devices.csv";

let h: AfterHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

function rowsOf(prefix: string, count: number, file = FILE): RowResult[] {
  return Array.from({ length: count }, (_, i) => ({
    status: "valid",
    location: { file, line: i + 2 },
    device: { serialNumber: `${prefix}${String(i).padStart(4, "0")}`, hardwareIdentifier: Buffer.from(`hash-${prefix}-${i}`).toString("base64") },
  }));
}

async function* iterate(rows: readonly RowResult[], between?: (index: number) => Promise<void>): AsyncIterable<RowResult> {
  for (const [i, row] of rows.entries()) {
    await between?.(i);
    yield row;
  }
}

/** Another app (or an import of another run) stages records of its own, under its own importId. */
async function stageAsSomeoneElse(t: AfterHarness, serials: readonly string[], importId: string): Promise<string[]> {
  const { body } = await t.client.request<{ value: Array<{ id: string }> }>({
    method: "POST",
    path: `${STAGED_PATH}/import`,
    body: {
      importedWindowsAutopilotDeviceIdentities: serials.map((serialNumber) => ({
        serialNumber,
        importId,
        hardwareIdentifier: Buffer.from(`their-${serialNumber}`).toString("base64"),
      })),
    },
  });
  return body.value.map((record) => record.id);
}

/** A journal for the run in `stateDir`, as the CLI would open it for this emulator. */
async function journalIn(t: AfterHarness, stateDir: string, key: string): Promise<FileJournal> {
  const layout = stateLayout(stateDir);
  ensureStateDir(layout);
  const files = [{ name: FILE, path: `/in/${FILE}`, size: 1, mtimeMs: 1, sha256: key.repeat(4) }];
  const { journal } = await openJournal({
    file: journalFile(layout, key),
    run: { run: key, files, tenant: normalizeTenant(t.emulator.tenantId), endpoint: t.emulator.graphUrl, tool: "test" },
    now: t.now,
  });
  return journal;
}

function journalRecords(file: string): JournalRecord[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => decodeLine(line) as { r: JournalRecord } | JournalRecord)
    .map((value) => ("r" in value ? value.r : value));
}

const stagedIds = (t: AfterHarness): string[] => t.emulator.devices().staged.map((record) => record.id).sort();

describe("the cleanup of staged records, against the emulator", () => {
  it("deletes exactly this run's records (others', of the same serials too, survive), each after its outcome is journaled and reported", async () => {
    h = await startAfterHarness({ processing: { delayMs: 0, spreadMs: 0 } });
    const t = h;
    // Someone else's staged records, two of them for serials this run imports too.
    const theirs = await stageAsSomeoneElse(t, ["THEIRS-1", "THEIRS-2", "CLN-0000", "CLN-0001"], "another-app-import");
    t.emulator.clock.advance(1);
    // Another run of this tool (its own importId), without a cleanup.
    const other = await importDevices({ rows: iterate(rowsOf("OTHERRUN-", 3)), client: t.client, pollPolicy: FAST_POLL, ...harnessRuntime(t) });
    expect(other.imported).toBe(3);
    const before = stagedIds(t);
    expect(before).toHaveLength(7);

    const stateDir = tempDir("cleanup-only-ours-");
    const journal = await journalIn(t, stateDir, "00000000000000aa");
    const written: ImportReportRow[] = [];
    // When a row reaches the report its staged record must still exist: it is deleted only afterwards.
    const sink: ReportSink = {
      write(row) {
        if (row.importedDeviceId) expect(t.emulator.devices().staged.some((s) => s.id === row.importedDeviceId), `${row.serialNumber} deleted before it was reported`).toBe(true);
        written.push(row);
      },
      close: async () => undefined,
    };
    let outcomesAt: { deletes: number; summary: unknown } | undefined;
    const summary = await importDevices({
      rows: iterate(rowsOf("CLN-", 30)),
      client: t.client,
      batchSize: 5,
      pollPolicy: FAST_POLL,
      report: sink,
      journal,
      ...harnessRuntime(t),
      postImport: createPostImportStage(t.client, { ...harnessRuntime(t), sync: false, verifyTimeoutMs: 60_000 }),
      cleanup: createStagedCleanup(t.client, harnessRuntime(t)),
      onOutcomes: (s) => (outcomesAt = { deletes: routeCounts(t.emulator, DELETE_ROUTE)["204"] ?? 0, summary: s }),
    });
    journal.close();

    // The two serials someone else staged first are registered by then: 806 for ours, which counts as success.
    expect(summary).toMatchObject({ rows: 30, imported: 28, alreadyRegistered: 2, cleanup: { deleted: 30, remaining: 0, stoppedBy: null } });
    // The outcomes came first (the report complete, the counts final); the imported rows, held for the
    // registration check, were deleted after that.
    expect(outcomesAt?.summary).toMatchObject({ rows: 30, imported: 28, cleanup: null });
    expect(outcomesAt!.deletes).toBeLessThan(30);
    expect(written).toHaveLength(30);
    const ours = written.map((row) => row.importedDeviceId).sort();
    expect(new Set(ours).size).toBe(30);

    // Only ours are gone; theirs and the other run's are untouched.
    expect(stagedIds(t)).toEqual(before.sort());
    expect(stagedIds(t)).toEqual(expect.arrayContaining(theirs));
    expect(routeCounts(t.emulator, DELETE_ROUTE)).toEqual({ "204": 30 });

    // Every deletion is journaled, after the outcome of its row.
    const file = journalFile(stateLayout(stateDir), "00000000000000aa");
    const records = journalRecords(file);
    const outcomeAt = new Map<string, number>();
    const deletedAt = new Map<string, number>();
    records.forEach((record, i) => {
      if (record.type === "device-outcome" && !outcomeAt.has(record.stagedId)) outcomeAt.set(record.stagedId, i);
      if (record.type === "staged-deleted") for (const id of record.ids) deletedAt.set(id, i);
    });
    expect([...deletedAt.keys()].sort()).toEqual(ours);
    for (const id of ours) expect(outcomeAt.get(id)!).toBeLessThan(deletedAt.get(id)!);
    expect((await replayJournal(file)).state.deletedStaged.size).toBe(30);
  });

  it("never delays a submission: deletes interleave with spaced uploads yet no upload is throttled", async () => {
    // Real time on a 20x clock: 10 writes per emulated 20 s are 10 per real second. Uploads every 150 ms (one write
    // each) leave about 3 writes a second, which the deletes take, and no more.
    h = await startAfterHarness({ clock: { speed: 20 }, processing: { delayMs: 0, spreadMs: 0 }, throttling: { enabled: true, writesPerWindow: 10, windowSeconds: 20 } });
    const t = h;
    const rows = rowsOf("PRIO-", 40);
    const deletesBeforeUpload: number[] = [];
    const summary = await importDevices({
      // Library use without a journal: the ids are tracked in memory.
      rows: iterate(rows, async (i) => {
        if (i % 2 !== 0) return;
        deletesBeforeUpload.push(routeCounts(t.emulator, DELETE_ROUTE)["204"] ?? 0);
        await new Promise((resolve) => setTimeout(resolve, 150));
      }),
      client: t.client,
      batchSize: 2,
      concurrency: 1,
      pollPolicy: FAST_POLL,
      cleanup: createStagedCleanup(t.client, { writeLimit: { writes: 10, windowMs: 1_000 } }),
    });
    expect(summary).toMatchObject({ rows: 40, imported: 40, uploads: 20, cleanup: { deleted: 40, remaining: 0 } });
    // No submission met a 429: the deletes left the write budget to them.
    expect(routeCounts(t.emulator, IMPORT_ROUTE)).toEqual({ "200": 20 });
    // Deletes went out between uploads, not only after the last one.
    expect(Math.max(...deletesBeforeUpload)).toBeGreaterThanOrEqual(4);
    expect(routeCounts(t.emulator, DELETE_ROUTE)["204"]).toBe(40);
    expect(stagedIds(t)).toEqual([]);
  });

  it("holds every delete while something with priority holds it back", async () => {
    h = await startAfterHarness();
    const t = h;
    const ids = await stageAsSomeoneElse(t, ["HOLD-1", "HOLD-2", "HOLD-3"], "ours");
    const cleanup = createStagedCleanup(t.client, harnessRuntime(t));
    const signal = new AbortController().signal;
    cleanup.start({ signal });
    const release = cleanup.hold();
    cleanup.add(ids);
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(routeCounts(t.emulator, DELETE_ROUTE)).toEqual({});
    release();
    expect(await cleanup.finish(true, signal)).toEqual({ deleted: 3, remaining: 0, stoppedBy: null });
    expect(stagedIds(t)).toEqual([]);
  });

  it("a time limit leaves the rest journaled; cleanupRuns finishes it (a 404 counts as deleted), skipping another tenant's run", async () => {
    h = await startAfterHarness({ processing: { delayMs: 0, spreadMs: 0 }, throttling: { enabled: true, writesPerWindow: 10, windowSeconds: 20 } });
    const t = h;
    const stateDir = tempDir("cleanup-time-limit-");
    const journal = await journalIn(t, stateDir, "00000000000000bb");
    const summary = await importDevices({
      rows: iterate(rowsOf("LIMIT-", 40)),
      client: t.client,
      batchSize: 10,
      pollPolicy: FAST_POLL,
      journal,
      ...harnessRuntime(t),
      // 5 emulated seconds after the report: a burst of the bucket and a little refill, far from 40 deletes.
      cleanup: createStagedCleanup(t.client, { ...harnessRuntime(t), writeLimit: { writes: 10, windowMs: 20_000 }, maxTimeMs: 5_000 }),
    });
    journal.close();
    const first = summary.cleanup!;
    expect(first.stoppedBy).toBe("timeLimit");
    expect(first.deleted + first.remaining).toBe(40);
    expect(first.deleted).toBeGreaterThan(0);
    expect(first.remaining).toBeGreaterThan(20);
    const file = journalFile(stateLayout(stateDir), "00000000000000bb");
    expect((await replayJournal(file)).state.deletedStaged.size).toBe(first.deleted);

    // Someone else deletes one of ours meanwhile; and a run journaled for another tenant sits in the same directory.
    const leftIds = stagedIds(t);
    expect(leftIds).toHaveLength(first.remaining);
    await t.client.request({ method: "DELETE", path: `${STAGED_PATH}/${leftIds[0]!}` });
    const foreign = await openJournal({
      file: journalFile(stateLayout(stateDir), "00000000000000cc"),
      run: { run: "00000000000000cc", files: [{ name: FILE, path: "/in/x.csv", size: 1, mtimeMs: 1, sha256: "c".repeat(64) }], tenant: "fabrikam.example", endpoint: t.emulator.graphUrl, tool: "test" },
    });
    foreign.journal.uploadPlanned({ id: "u1", createdDateTimeUtc: "", status: "pending", devices: [{ location: { file: FILE, line: 2 }, device: { serialNumber: "F-1", hardwareIdentifier: "" } }], size: 1 });
    foreign.journal.uploadSubmitted("u1", { staged: [{ location: { file: FILE, line: 2 }, serialNumber: "F-1", stagedId: "foreign-id" }], rejected: [], notStaged: [], reconciled: false, stagedAt: 0 });
    foreign.journal.rowOutcome({ file: FILE, line: 2, serialNumber: "F-1", status: "imported", errorCode: "", errorName: "", message: "imported", groupTag: "", assignedUser: "", uploadId: "u1", importedDeviceId: "foreign-id", deviceRegistrationId: "", registered: "unchecked" }, "polled");
    foreign.journal.close();

    const progress: number[] = [];
    const result = await cleanupRuns({
      stateDir,
      client: t.client,
      tenant: t.emulator.tenantId.toUpperCase(),
      endpoint: t.emulator.graphUrl,
      writeLimit: { writes: 10, windowMs: 20_000 },
      ...harnessRuntime(t),
      onProgress: (_run, p) => progress.push(p.remaining),
    });
    expect(result).toMatchObject({ deleted: first.remaining, remaining: 1, stoppedBy: null });
    const byKey = Object.fromEntries(result.runs.map((r) => [r.run, r]));
    expect(byKey["00000000000000bb"]).toMatchObject({ skipped: null, deletedBefore: first.deleted, deleted: first.remaining, alreadyGone: 1, remaining: 0, awaitingOutcome: 0 });
    expect(byKey["00000000000000cc"]).toMatchObject({ skipped: "otherTenant", deleted: 0, remaining: 1 });
    expect(progress.at(-1)).toBe(0);
    expect(stagedIds(t)).toEqual([]);
    // Each of our records was deleted once (one of them by someone else); the resend found it gone. (A 429 or two
    // are expected: this cleanup starts assuming a full write budget, which the import's tail had just spent.)
    expect(routeCounts(t.emulator, DELETE_ROUTE)).toMatchObject({ "204": 40, "404": 1 });
    expect((await replayJournal(file)).state.deletedStaged.size).toBe(40);

    // Nothing left: a second cleanup sends nothing.
    const again = await cleanupRuns({ stateDir, client: t.client, tenant: t.emulator.tenantId, endpoint: t.emulator.graphUrl, run: "00000000000000bb", ...harnessRuntime(t) });
    const sent = t.emulator.stats().batches.subRequests;
    expect(again).toMatchObject({ deleted: 0, remaining: 0, stoppedBy: null });
    expect(t.emulator.stats().batches.subRequests).toBe(sent);
    await expect(cleanupRuns({ stateDir, client: t.client, tenant: undefined, endpoint: t.emulator.graphUrl, run: "ffffffffffffffff" })).rejects.toThrow(/there is no run ffffffffffffffff/);
  });

  it("deleteStagedRecords: throttled deletes wait for Retry-After and shrink, and still each go once", async () => {
    // 5 writes per 20 s while the pacer assumes 100: the first batch meets 429s and the pacer learns.
    h = await startAfterHarness({ throttling: { enabled: true, writesPerWindow: 5, windowSeconds: 20 } });
    const t = h;
    const ids = await stageAsSomeoneElse(t, Array.from({ length: 30 }, (_, i) => `THR-${i}`), "ours");
    const summary = await deleteStagedRecords(t.client, ids, harnessRuntime(t));
    expect(summary).toEqual({ deleted: 30, remaining: 0, stoppedBy: null });
    const counts = routeCounts(t.emulator, DELETE_ROUTE);
    expect(counts["204"]).toBe(30);
    expect(counts["429"]).toBeGreaterThan(0);
    expect(counts["404"]).toBeUndefined();
    // Honouring Retry-After: the emulator never saw more than its budget plus what one early burst asked for.
    expect(counts["429"]!).toBeLessThan(60);
    expect(t.waits.some((ms) => ms >= 1_000)).toBe(true);
  });
});
