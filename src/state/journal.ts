/**
 * The journal of one run, in one file: implements the pipeline's journal port. Records are written ahead of each
 * step; those a resend would depend on (an upload about to be sent, Graph's answer, the sync, the end) are fsynced
 * before the step goes on, outcomes are fsynced every `outcomeSyncMs` (losing a few to a power loss only means
 * polling them again).
 */
import { StateError } from "../errors.js";
import type { TraitName } from "../graph/service-traits.js";
import type { SourceLocation } from "../model/device.js";
import { randomUUID } from "node:crypto";
import { RECOVERY_UPLOAD_PREFIX, type ImportJournal, type InputCounts, type JournaledDevice, type JournaledRow, type JournaledStaged, type UnconfirmedUpload, type UploadAnswer } from "../pipeline/journal-port.js";
import type { ImportReportRow, ImportSummary, SyncOutcome, Upload } from "../pipeline/types.js";
import type { JournalAppender } from "./journal-file.js";
import type { JournalRecord, NewRecord } from "./records.js";
import { RunInputs } from "./run-inputs.js";
import { rowKey, type RunState } from "./run-state.js";
import type { OpenJournalOptions } from "./open-journal.js";

/**
 * Default fsync interval for outcome records. bench/journal.bench.ts, 10,000 devices: all records of the import in
 * ~0.13 s with outcomes fsynced each second (41 fsyncs), ~1.8–6.7 s with one fsync per outcome on the same disk.
 */
export const DEFAULT_OUTCOME_SYNC_MS = 1_000;

export { openJournal, type OpenJournalOptions, type OpenedJournal } from "./open-journal.js";

export class FileJournal implements ImportJournal {
  #resumed: boolean;
  readonly inputs: OpenJournalOptions["run"]["files"];
  readonly earlier: { readonly imported: number; readonly uploads: number; readonly sync: SyncOutcome | undefined };
  readonly #appender: JournalAppender;
  readonly #state: RunState;
  readonly #now: () => number;
  readonly #inputs: RunInputs;
  readonly #timer: NodeJS.Timeout;

  constructor(appender: JournalAppender, state: RunState, options: OpenJournalOptions, now: () => number) {
    this.#appender = appender;
    this.#state = state;
    this.#now = now;
    this.#inputs = new RunInputs(options.run.files.map((f) => f.name));
    this.inputs = options.run.files;
    this.#resumed = state.rows.size > 0 || state.uploads.size > 0 || state.inputRead !== undefined || state.finished !== undefined;
    let imported = 0;
    for (const row of state.rows.values()) if (row.outcome?.final && row.outcome.status === "imported") imported += 1;
    let uploads = 0;
    for (const upload of state.uploads.values()) if (upload.settled > 0) uploads += 1;
    this.earlier = { imported, uploads, sync: state.sync };
    this.#timer = setInterval(() => this.#syncQuietly(), options.outcomeSyncMs ?? DEFAULT_OUTCOME_SYNC_MS);
    this.#timer.unref();
  }

  /** Whether an earlier process recorded anything (rows a damaged journal lost count: see planRecovery). */
  get resumed(): boolean {
    return this.#resumed;
  }

  /** The replayed state (read-only use: `status`, tests). */
  get state(): RunState {
    return this.#state;
  }

  /** fsyncs so far. */
  get syncs(): number {
    return this.#appender.syncs;
  }

  unconfirmedUploads(): readonly UnconfirmedUpload[] {
    return this.#state.unconfirmedUploads().map(({ id, plannedAt, rows }) => ({
      id,
      plannedAt,
      devices: rows.map((row) => ({ location: this.#inputs.location(row.file, row.line), serialNumber: row.serial })),
      ...(id.startsWith(RECOVERY_UPLOAD_PREFIX) ? { recovery: { knownUploads: this.#state.uploadIds } } : {}),
    }));
  }

  /**
   * After damage before the journal's end: plans the `devices` (valid rows of the input) that the intact records do
   * not account for (no outcome, not staged, in no upload) into a recovery upload, reconciled by serial number before
   * anything is sent. Returns how many it planned.
   */
  planRecovery(devices: readonly JournaledDevice[]): number {
    const rows: Array<[number, number, string]> = [];
    for (const { location, serialNumber } of devices) {
      const file = this.#inputs.find(location.file);
      if (file === undefined) continue;
      const row = this.#state.rows.get(rowKey(file, location.line));
      if (row && row.serial === serialNumber && (row.outcome || row.stagedId !== undefined || row.upload !== undefined)) continue;
      rows.push([file, location.line, serialNumber]);
    }
    if (rows.length === 0) return 0;
    this.append({ type: "upload-planned", upload: `${RECOVERY_UPLOAD_PREFIX}${randomUUID()}`, rows }, true, true);
    // Whatever the intact records show, an earlier process may have sent these: never a new baseline that would hide it.
    this.#resumed = true;
    return rows.length;
  }

  inFlight(): readonly JournaledStaged[] {
    return this.#state.inFlight().map((row) => ({
      location: this.#inputs.location(row.file, row.line),
      serialNumber: row.serial,
      uploadId: row.upload ?? "",
      stagedId: row.stagedId ?? "",
      stagedAt: row.stagedAt ?? this.#now(),
    }));
  }

  lookup(location: SourceLocation, serialNumber: string): JournaledRow | undefined {
    const file = this.#inputs.find(location.file);
    if (file === undefined) return undefined;
    const row = this.#state.rows.get(rowKey(file, location.line));
    if (!row || row.serial !== serialNumber) return undefined;
    // From here on the pipeline reports this row (from the journal, after polling, or after submitting it again).
    row.reported = true;
    if (row.outcome) return { kind: "outcome", row: this.#state.reportRow(row, location.file)!, final: row.outcome.final };
    if (row.stagedId !== undefined) return { kind: "inFlight" };
    if (row.upload !== undefined && this.#state.uploads.get(row.upload)?.confirmed === false) {
      // Reconciliation settles every unconfirmed upload before rows are read: reaching this is a bug.
      throw new StateError(`${location.file}:${location.line} is in upload ${row.upload}, which was not reconciled`);
    }
    return undefined;
  }

  *unreported(): Iterable<ImportReportRow> {
    for (const row of this.#state.rows.values()) {
      if (row.reported || !row.outcome) continue;
      row.reported = true;
      yield this.#state.reportRow(row, this.#inputs.nameOf(row.file))!;
    }
  }

  uploadPlanned(upload: Upload): void {
    const rows = upload.devices.map((d) => [this.#inputs.indexOf(d.location), d.location.line, d.device.serialNumber] as [number, number, string]);
    this.append({ type: "upload-planned", upload: upload.id, rows }, true);
  }

  uploadSubmitted(uploadId: string, answer: UploadAnswer): void {
    this.append(
      {
        type: "upload-submitted",
        upload: uploadId,
        stagedAt: new Date(answer.stagedAt).toISOString(),
        reconciled: answer.reconciled,
        staged: answer.staged.map((s) => [this.#inputs.indexOf(s.location), s.location.line, s.stagedId] as [number, number, string]),
        rejected: answer.rejected.map((l) => [this.#inputs.indexOf(l), l.line] as [number, number]),
        notStaged: answer.notStaged.map((l) => [this.#inputs.indexOf(l), l.line] as [number, number]),
      },
      true,
    );
  }

  rowOutcome(row: ImportReportRow, phase: "polled" | "final"): void {
    this.append(
      {
        type: "device-outcome",
        phase,
        f: this.#inputs.indexOf(row),
        l: row.line,
        serial: row.serialNumber,
        status: row.status,
        errorCode: row.errorCode,
        errorName: row.errorName,
        message: row.message,
        uploadId: row.uploadId,
        stagedId: row.importedDeviceId,
        registrationId: row.deviceRegistrationId,
        registered: row.registered,
        ...(row.groups !== undefined ? { groups: row.groups } : {}),
      },
      false,
    );
  }

  get traits(): ReadonlyMap<TraitName, boolean> {
    return this.#state.traits;
  }

  get baseline(): ReadonlySet<string> | undefined {
    return this.#state.baseline;
  }

  serviceTrait(name: TraitName, value: boolean): void {
    this.append({ type: "service-trait", name, value }, true);
  }

  stagedBaseline(ids: ReadonlySet<string>): void {
    this.append({ type: "staged-baseline", ids: [...ids] }, true);
  }

  inputRead(counts: InputCounts): void {
    this.append({ type: "input-read", rows: counts.rows, valid: counts.valid, invalid: counts.invalid, duplicates: counts.duplicates }, false);
  }

  syncOutcome(sync: SyncOutcome): void {
    this.append({ type: "sync", status: sync.status, message: sync.message, ...(sync.retryAt ? { retryAt: sync.retryAt } : {}) }, true);
  }

  finished(summary: ImportSummary): void {
    this.append({ type: "run-finished", summary: { ...summary } }, true);
  }

  /** Records deletions of staged records this run created (the after-import cleanup). */
  stagedDeleted(ids: readonly string[]): void {
    if (ids.length > 0) this.append({ type: "staged-deleted", ids: [...ids] }, true);
  }

  isStagedDeleted(id: string): boolean {
    return this.#state.deletedStaged.has(id);
  }

  flush(): void {
    this.#appender.sync();
  }

  close(): void {
    clearInterval(this.#timer);
    this.#appender.close();
  }

  /** The periodic fsync: a failure is kept by the appender and thrown to the next writer, never from a timer. */
  #syncQuietly(): void {
    try {
      this.#appender.sync();
    } catch {
      // thrown again by the next append
    }
  }

  /** Stamps, writes and applies a record (to rows already known: see RunState.apply). */
  append(record: NewRecord, durable: boolean, createRows = false): void {
    const stamped = { ...record, at: new Date(this.#now()).toISOString() } as JournalRecord;
    this.#appender.append(stamped, durable);
    this.#state.apply(stamped, createRows);
  }
}
