import { existsSync, readFileSync, truncateSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { StateError } from "../../src/errors.js";
import type { Upload } from "../../src/pipeline/types.js";
import { openJournal } from "../../src/state/journal.js";
import { replayJournal, stagedRecords } from "../../src/state/replay.js";
import { tempDir } from "../support/temp-dir.js";
import { outcome, runOf, tickingClock } from "./helpers.js";

function upload(id: string, rows: Array<[string, number, string]>): Upload {
  return {
    id,
    createdDateTimeUtc: "2026-01-01T00:00:00Z",
    status: "noUpload",
    size: rows.length,
    devices: rows.map(([file, line, serialNumber]) => ({ location: { file, line }, device: { serialNumber, hardwareIdentifier: "SECRET-HASH==" } })),
  };
}

async function open(file: string) {
  return openJournal({ file, run: runOf(), now: tickingClock(), pid: 42, host: "here", outcomeSyncMs: 60_000 });
}

describe("journal replay", () => {
  it("a new run: the journal is created with its run record, and keeps no per-row state while it writes (memory stays flat)", async () => {
    const file = path.join(tempDir(), "run.jsonl");
    const { journal, scan } = await open(file);
    expect(scan).toBeUndefined();
    expect(journal.resumed).toBe(false);
    const rows = Array.from({ length: 500 }, (_, i) => ["a.csv", i + 2, `S${i}`] as [string, number, string]);
    journal.uploadPlanned(upload("u1", rows));
    journal.uploadSubmitted("u1", { staged: rows.map(([f, l, s]) => ({ location: { file: f, line: l }, serialNumber: s, stagedId: `id-${s}` })), rejected: [], notStaged: [], reconciled: false, stagedAt: Date.now() });
    for (const [f, l, s] of rows) journal.rowOutcome(outcome(f, l, s, "imported"), "polled");
    expect(journal.state.rows.size).toBe(0);
    journal.close();
    expect(readFileSync(file, "utf8")).not.toContain("SECRET-HASH");
    const { state } = await replayJournal(file);
    expect(state.rows.size).toBe(500);
    expect(state.header).toMatchObject({ type: "run", run: "0123456789abcdef", tenant: "contoso.onmicrosoft.com" });
  });

  it("resumes: outcomes are reported from the journal, staged rows polled, unconfirmed uploads reconciled, the rest submitted", async () => {
    const file = path.join(tempDir(), "run.jsonl");
    const first = (await open(file)).journal;
    first.uploadPlanned(upload("u1", [["a.csv", 2, "S1"], ["a.csv", 3, "S2"], ["b.csv", 2, "S3"]]));
    first.uploadSubmitted("u1", {
      staged: [
        { location: { file: "a.csv", line: 2 }, serialNumber: "S1", stagedId: "id1" },
        { location: { file: "a.csv", line: 3 }, serialNumber: "S2", stagedId: "id2" },
      ],
      rejected: [{ file: "b.csv", line: 2 }],
      notStaged: [],
      reconciled: false,
      stagedAt: Date.UTC(2026, 0, 1),
    });
    first.rowOutcome(outcome("b.csv", 2, "S3", "failed", { errorName: "BadRequest", message: "Graph rejected this device's data" }), "polled");
    first.rowOutcome(outcome("a.csv", 2, "S1", "imported", { registered: "yes" }), "final");
    first.uploadPlanned(upload("u2", [["a.csv", 4, "S4"], ["a.csv", 5, "S5"]]));
    first.close(); // a crash: u2 was planned (perhaps sent), never confirmed

    const { journal } = await open(file);
    expect(journal.resumed).toBe(true);
    expect(journal.earlier).toEqual({ imported: 1, uploads: 1, sync: undefined });
    expect(journal.unconfirmedUploads()).toEqual([
      { id: "u2", plannedAt: expect.any(Number), devices: [
        { location: { file: "a.csv", line: 4 }, serialNumber: "S4" },
        { location: { file: "a.csv", line: 5 }, serialNumber: "S5" },
      ] },
    ]);
    // Reconciliation: S4 was staged by the lost request, S5 was not.
    journal.uploadSubmitted("u2", { staged: [{ location: { file: "a.csv", line: 4 }, serialNumber: "S4", stagedId: "id4" }], rejected: [], notStaged: [{ file: "a.csv", line: 5 }], reconciled: true, stagedAt: Date.UTC(2026, 0, 1) });
    expect(journal.unconfirmedUploads()).toEqual([]);
    expect(journal.inFlight().map((d) => [d.serialNumber, d.stagedId, d.uploadId])).toEqual([["S2", "id2", "u1"], ["S4", "id4", "u2"]]);

    expect(journal.lookup({ file: "a.csv", line: 2 }, "S1")).toEqual({ kind: "outcome", final: true, row: expect.objectContaining({ status: "imported", registered: "yes", importedDeviceId: "staged-S1" }) });
    expect(journal.lookup({ file: "b.csv", line: 2 }, "S3")).toEqual({ kind: "outcome", final: false, row: expect.objectContaining({ status: "failed", errorName: "BadRequest", file: "b.csv" }) });
    expect(journal.lookup({ file: "a.csv", line: 3 }, "S2")).toEqual({ kind: "inFlight" });
    expect(journal.lookup({ file: "a.csv", line: 5 }, "S5")).toBeUndefined();
    // Matched by file, line and serial number: another serial at that line is another device.
    expect(journal.lookup({ file: "a.csv", line: 4 }, "OTHER")).toBeUndefined();
    expect(journal.lookup({ file: "c.csv", line: 2 }, "S1")).toBeUndefined();
    journal.close();
  });

  it("after an interruption, the rows with an outcome the reader did not reach are still reported, once", async () => {
    const file = path.join(tempDir(), "run.jsonl");
    const first = (await open(file)).journal;
    first.uploadPlanned(upload("u1", [["a.csv", 2, "S1"], ["a.csv", 3, "S2"], ["a.csv", 4, "S3"]]));
    first.uploadSubmitted("u1", { staged: [2, 3, 4].map((l) => ({ location: { file: "a.csv", line: l }, serialNumber: `S${l - 1}`, stagedId: `id${l}` })), rejected: [], notStaged: [], reconciled: false, stagedAt: 0 });
    for (const [l, s] of [[2, "S1"], [3, "S2"]] as const) first.rowOutcome(outcome("a.csv", l, s, "imported"), "polled");
    first.close();
    const { journal } = await open(file);
    expect(journal.lookup({ file: "a.csv", line: 2 }, "S1")?.kind).toBe("outcome");
    // S3 finishes in this process before its row is read: journaled, then reported with the rest.
    journal.rowOutcome(outcome("a.csv", 4, "S3", "failed"), "polled");
    expect([...journal.unreported()].map((r) => [r.serialNumber, r.status])).toEqual([["S2", "imported"], ["S3", "failed"]]);
    expect([...journal.unreported()]).toEqual([]);
    journal.close();
  });

  it("a row submitted again by this process is reported by it, not again from the journal after an interruption", async () => {
    const file = path.join(tempDir(), "run.jsonl");
    const first = (await open(file)).journal;
    first.uploadPlanned(upload("u1", [["a.csv", 2, "S1"], ["a.csv", 3, "S2"]]));
    first.close();
    const { journal } = await open(file);
    journal.uploadSubmitted("u1", { staged: [], rejected: [], notStaged: [{ file: "a.csv", line: 2 }, { file: "a.csv", line: 3 }], reconciled: true, stagedAt: 0 });
    expect(journal.lookup({ file: "a.csv", line: 2 }, "S1")).toBeUndefined();
    journal.uploadPlanned(upload("u2", [["a.csv", 2, "S1"]]));
    journal.rowOutcome(outcome("a.csv", 2, "S1", "imported"), "polled");
    // Interrupted before the reader reached line 3 (still without outcome): nothing to report from the journal.
    expect([...journal.unreported()]).toEqual([]);
    journal.close();
  });

  it("a row that was not staged is planned again in a new upload; the newest plan counts", async () => {
    const file = path.join(tempDir(), "run.jsonl");
    const first = (await open(file)).journal;
    first.uploadPlanned(upload("u1", [["a.csv", 2, "S1"]]));
    first.uploadSubmitted("u1", { staged: [], rejected: [], notStaged: [{ file: "a.csv", line: 2 }], reconciled: true, stagedAt: 0 });
    first.uploadPlanned(upload("u2", [["a.csv", 2, "S1"]]));
    first.close();
    const { journal } = await open(file);
    expect(journal.unconfirmedUploads().map((u) => u.id)).toEqual(["u2"]);
    journal.close();
  });

  it("remembers the sync and the end of the run", async () => {
    const file = path.join(tempDir(), "run.jsonl");
    const first = (await open(file)).journal;
    first.inputRead({ rows: 3, valid: 2, invalid: 1, duplicates: 0 });
    first.syncOutcome({ status: "triggered", message: "Autopilot sync triggered." });
    first.finished({ rows: 3 } as never);
    first.close();
    const { journal } = await open(file);
    expect(journal.earlier.sync).toEqual({ status: "triggered", message: "Autopilot sync triggered." });
    expect(journal.state.finished?.summary).toEqual({ rows: 3 });
    expect(journal.state.inputRead).toEqual({ rows: 3, valid: 2, invalid: 1, duplicates: 0 });
    expect(journal.state.sessions).toBe(2);
    expect(journal.state.lastSession).toMatchObject({ pid: 42, host: "here" });
    journal.close();
  });

  it("answers which staged records the run created and which are deleted (for the cleanup)", async () => {
    const file = path.join(tempDir(), "run.jsonl");
    const { journal } = await open(file);
    journal.uploadPlanned(upload("u1", [["a.csv", 2, "S1"], ["a.csv", 3, "S2"]]));
    journal.uploadSubmitted("u1", { staged: [2, 3].map((l) => ({ location: { file: "a.csv", line: l }, serialNumber: `S${l - 1}`, stagedId: `id${l}` })), rejected: [], notStaged: [], reconciled: false, stagedAt: 0 });
    journal.stagedDeleted(["id2"]);
    journal.close();
    const { state } = await replayJournal(file);
    expect([...stagedRecords(state)]).toEqual([
      { stagedId: "id2", serialNumber: "S1", deleted: true },
      { stagedId: "id3", serialNumber: "S2", deleted: false },
    ]);
  });

  it("a torn last record is cut off when the journal is reopened, and the run goes on", async () => {
    const file = path.join(tempDir(), "run.jsonl");
    const first = (await open(file)).journal;
    first.uploadPlanned(upload("u1", [["a.csv", 2, "S1"]]));
    first.rowOutcome(outcome("a.csv", 2, "S1", "imported"), "polled");
    first.close();
    truncateSync(file, statSync(file).size - 10);
    const { journal, scan } = await open(file);
    expect(scan?.tornBytes).toBeGreaterThan(0);
    // The outcome was torn: the upload is unconfirmed again, so it is reconciled rather than trusted.
    expect(journal.unconfirmedUploads().map((u) => u.id)).toEqual(["u1"]);
    journal.close();
    const again = await replayJournal(file);
    expect(again.scan).toMatchObject({ tornBytes: 0, damaged: 0 });
  });

  it("a journal whose first record was torn is started again", async () => {
    const file = path.join(tempDir(), "run.jsonl");
    (await open(file)).journal.close();
    truncateSync(file, 20);
    const { journal } = await open(file);
    expect(journal.resumed).toBe(false);
    journal.close();
    expect((await replayJournal(file)).state.header?.run).toBe("0123456789abcdef");
  });

  it("refuses a journal that belongs to another run", async () => {
    const file = path.join(tempDir(), "run.jsonl");
    (await open(file)).journal.close();
    await expect(openJournal({ file, run: runOf({ tenant: "fabrikam" }) })).rejects.toThrow(StateError);
    expect(existsSync(file)).toBe(true);
  });

  it("refuses rows of a file that is not an input of the run", async () => {
    const { journal } = await open(path.join(tempDir(), "run.jsonl"));
    expect(() => journal.rowOutcome(outcome("elsewhere.csv", 2, "S", "imported"), "polled")).toThrow(/not an input of this run/);
    journal.close();
  });
});
