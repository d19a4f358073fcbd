/**
 * Resuming a run from its journal, against the in-memory service: an earlier process "dies" at chosen steps (its
 * journal is left as a killed process leaves it), and the next one must finish the job without sending any device
 * twice. The real CLI is killed at random moments in test/e2e/kill-resume.test.ts.
 */
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { RowResult } from "../../src/model/device.js";
import { importDevices } from "../../src/pipeline/import-devices.js";
import type { StagedApi } from "../../src/pipeline/staged-api.js";
import type { ImportReportRow, PendingDevice, PostImportStage, SyncOutcome, Upload } from "../../src/pipeline/types.js";
import { openJournal } from "../../src/state/journal.js";
import { replayJournal } from "../../src/state/replay.js";
import { tempDir } from "../support/temp-dir.js";
import { FakeClock, FakeService } from "./helpers/fake-service.js";

const FILE = "devices.csv";

function rowsOf(count: number): RowResult[] {
  const rows: RowResult[] = Array.from({ length: count }, (_, i) => ({
    status: "valid",
    location: { file: FILE, line: i + 2 },
    device: { serialNumber: `SN${String(i).padStart(4, "0")}`, hardwareIdentifier: `HASH${i}==`, groupTag: `tag${i}` },
  }));
  rows.push({ status: "invalid", location: { file: FILE, line: count + 2 }, serialNumber: "BAD", code: "hash_not_base64", message: "Hardware Hash is not valid base64" });
  return rows;
}

async function* iterate(rows: readonly RowResult[]): AsyncIterable<RowResult> {
  for (const row of rows) yield row;
}

/** What a step of the service does to the earlier process: dies before the request reaches the service, or after it was applied. */
type Crash = { readonly submit: number; readonly when: "before" | "after" } | { readonly reads: number };

/** The service port as seen by a process that dies at `crash` (its signal aborted, like a kill). */
function dyingApi(service: FakeService, controller: AbortController, crash: Crash | undefined): StagedApi {
  let submits = 0;
  let reads = 0;
  const read = (): void => {
    reads += 1;
    if (crash && "reads" in crash && reads > crash.reads) die();
  };
  const die = (): never => {
    controller.abort("SIGTERM");
    throw new DOMException("killed", "AbortError");
  };
  return {
    api: "import",
    traits: service.traits,
    get requests() {
      return service.requests;
    },
    open: (upload) => service.open(upload),
    async submit(upload: Upload, devices: readonly PendingDevice[]) {
      submits += 1;
      if (crash && "submit" in crash && crash.submit === submits) {
        if (crash.when === "after") await service.submit(upload, devices);
        die();
      }
      return service.submit(upload, devices);
    },
    async *list(options) {
      read();
      yield* service.list(options);
    },
    async get(ids) {
      read();
      return service.get(ids);
    },
  };
}

interface Attempt {
  readonly report: ImportReportRow[];
  readonly error: unknown;
}

async function attempt(file: string, rows: readonly RowResult[], service: FakeService, clock: FakeClock, crash?: Crash, postImport?: PostImportStage): Promise<Attempt> {
  const { journal } = await openJournal({
    file,
    run: { run: "0000000000000001", files: [{ name: FILE, path: `/in/${FILE}`, size: 1, mtimeMs: 0, sha256: "c".repeat(64) }], tenant: "t", endpoint: "https://graph.test", tool: "test" },
    now: clock.now,
  });
  const controller = new AbortController();
  const report: ImportReportRow[] = [];
  let ids = 0;
  let error: unknown;
  try {
    await importDevices({
      rows: iterate(rows),
      stagedApi: dyingApi(service, controller, crash),
      journal,
      batchSize: 4,
      concurrency: 1,
      pollTimeoutMs: 600_000,
      now: clock.now,
      sleep: clock.sleep,
      newId: () => `upload-${clock.now()}-${++ids}`,
      reconcileDelayMs: 100,
      signal: controller.signal,
      onRow: (row) => report.push(row),
      ...(postImport ? { postImport } : {}),
    });
  } catch (caught) {
    error = caught;
  } finally {
    journal.close();
  }
  // Stopped or not, a report never lists a row twice.
  expect(report.map((r) => r.line).filter((line, i, all) => all.indexOf(line) !== i)).toEqual([]);
  return { report, error };
}

function expectComplete(report: readonly ImportReportRow[], rows: readonly RowResult[], service: FakeService): void {
  const lines = report.map((r) => r.line).sort((a, b) => a - b);
  expect(lines).toEqual(rows.map((r) => r.location.line));
  const valid = rows.filter((r) => r.status === "valid").map((r) => (r.status === "valid" ? r.device.serialNumber : ""));
  expect([...service.submittedTimes.keys()].sort()).toEqual(valid.sort());
  expect([...service.submittedTimes.values()].every((n) => n === 1)).toBe(true);
  expect(report.filter((r) => r.status === "imported")).toHaveLength(valid.length);
}

describe("importDevices resumes from its journal", () => {
  it("an upload the service applied but whose answer was lost with the process is reconciled, not sent again", async () => {
    const clock = new FakeClock();
    const service = new FakeService(clock);
    const rows = rowsOf(10);
    const file = path.join(tempDir("resume-"), "run.jsonl");
    const first = await attempt(file, rows, service, clock, { submit: 2, when: "after" });
    expect(first.error).toBeDefined();
    expect(service.submittedTimes.size).toBe(8);
    const second = await attempt(file, rows, service, clock);
    expect(second.error).toBeUndefined();
    expectComplete(second.report, rows, service);
    // The reconciled upload's devices kept the importId they were staged with.
    const { state } = await replayJournal(file);
    expect(state.finished).toBeDefined();
    expect([...state.uploads.values()].every((u) => u.confirmed)).toBe(true);
  });

  it("an upload planned but never sent is found missing and sent once", async () => {
    const clock = new FakeClock();
    const service = new FakeService(clock);
    const rows = rowsOf(10);
    const file = path.join(tempDir("resume-"), "run.jsonl");
    await attempt(file, rows, service, clock, { submit: 2, when: "before" });
    expect(service.submittedTimes.size).toBe(4);
    const second = await attempt(file, rows, service, clock);
    expect(second.error).toBeUndefined();
    expectComplete(second.report, rows, service);
  });

  it("staged devices are polled again; outcomes already journaled are reported from the journal", async () => {
    const clock = new FakeClock();
    const service = new FakeService(clock, { processingMs: 30_000, stuck: ["SN0011"] });
    const rows = rowsOf(12);
    const file = path.join(tempDir("resume-"), "run.jsonl");
    // Dies while polling: every device staged, all but the stuck one final.
    const first = await attempt(file, rows, service, clock, { reads: 8 });
    expect(first.error).toBeDefined();
    const { state } = await replayJournal(file);
    expect([...state.rows.values()].filter((r) => r.outcome)).toHaveLength(11);
    expect(state.inFlight().map((r) => r.serial)).toEqual(["SN0011"]);
    service.options.stuck.length = 0;
    const submittedBefore = service.calls.filter((c) => c.kind === "submit").length;
    const second = await attempt(file, rows, service, clock);
    expect(second.error).toBeUndefined();
    expect(service.calls.filter((c) => c.kind === "submit").length).toBe(submittedBefore);
    expectComplete(second.report, rows, service);
  });

  it("dies again and again at every submission: still every row once, every device sent once", async () => {
    const clock = new FakeClock();
    const service = new FakeService(clock, { processingMs: 2_000 });
    const rows = rowsOf(20);
    const file = path.join(tempDir("resume-"), "run.jsonl");
    let last: Attempt | undefined;
    for (let i = 0; i < 12; i++) {
      last = await attempt(file, rows, service, clock, { submit: 1 + (i % 2), when: i % 3 === 0 ? "before" : "after" });
      if (last.error === undefined) break;
      clock.time += 500;
    }
    last = await attempt(file, rows, service, clock);
    expect(last.error).toBeUndefined();
    expectComplete(last.report, rows, service);
  });

  it("a finished run run again sends nothing and reports every row the same", async () => {
    const clock = new FakeClock();
    const service = new FakeService(clock, { alreadyRegistered: ["SN0003"] });
    const rows = rowsOf(6);
    const file = path.join(tempDir("resume-"), "run.jsonl");
    const first = await attempt(file, rows, service, clock);
    const requests = service.requests;
    const second = await attempt(file, rows, service, clock);
    expect(second.error).toBeUndefined();
    const byLine = (r: readonly ImportReportRow[]) => [...r].sort((a, b) => a.line - b.line);
    expect(byLine(second.report)).toEqual(byLine(first.report));
    expect(service.calls.filter((c) => c.kind === "submit")).toHaveLength(2);
    expect(service.requests - requests).toBeLessThanOrEqual(1); // the probe
  });

  it("tells the after-import stage what an earlier process imported and synced, and journals its results", async () => {
    const clock = new FakeClock();
    const service = new FakeService(clock);
    const rows = rowsOf(6);
    const file = path.join(tempDir("resume-"), "run.jsonl");
    const earlier: Array<{ imported: number; sync: SyncOutcome | undefined }> = [];
    const stage = (): PostImportStage => {
      const held: ImportReportRow[] = [];
      let imported = 0;
      let recorded: SyncOutcome | undefined;
      return {
        resumed: (e) => {
          earlier.push(e);
          imported += e.imported;
          recorded = e.sync;
        },
        take: (row) => (row.status === "imported" ? (held.push(row), imported++, true) : false),
        complete: async () => ({
          rows: held.map((row) => ({ row: { ...row, registered: "yes" as const }, polledStatus: row.status })),
          sync: recorded ?? (imported > 0 ? { status: "triggered", message: "triggered" } : { status: "skipped", message: "none" }),
        }),
      };
    };
    await attempt(file, rows, service, clock, undefined, stage());
    const again = await attempt(file, rows, service, clock, undefined, stage());
    expect(earlier).toEqual([
      { imported: 0, sync: undefined },
      { imported: 6, sync: { status: "triggered", message: "triggered" } },
    ]);
    expect(again.report.filter((r) => r.registered === "yes")).toHaveLength(6);
  });
});
