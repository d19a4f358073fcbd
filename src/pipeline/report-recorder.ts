/**
 * Where every row's outcome goes, in order: counted, journaled (unless the reader derives it again on a resume),
 * held by the after-import stage when that stage finishes it, else written to the report; and once written, its
 * staged record may be deleted by the cleanup.
 */
import type { ImportJournal } from "./journal-port.js";
import type { ProgressSnapshot } from "./progress.js";
import type { SummaryCounter } from "./summary.js";
import type { DeviceInputs, ImportReportRow, PostImportStage, StagedCleanupStage } from "./types.js";

/** Where report rows go; a row is written once and never changed. */
export interface ReportSink {
  write(row: ImportReportRow): void | Promise<void>;
  close(): Promise<void>;
}

export interface ReportRecorderOptions {
  readonly counter: SummaryCounter;
  readonly report?: ReportSink;
  readonly onRow?: (row: ImportReportRow) => void;
  /** Every row's outcome once, as it is known (before an after-import stage holds it): `import --archive` keeps accepted rows. */
  readonly onOutcome?: (row: ImportReportRow) => void;
  readonly journal?: ImportJournal;
  readonly postImport?: PostImportStage;
  readonly cleanup?: StagedCleanupStage;
  readonly onProgress?: (snapshot: ProgressSnapshot) => void;
  /** A write that fails stops the run. */
  readonly fail: (error: unknown) => void;
}

/** The statuses the reader gives itself again on a resume: never journaled. */
const rederived = (status: ImportReportRow["status"]): boolean => status === "invalid" || status === "duplicate";

export class ReportRecorder {
  readonly #options: ReportRecorderOptions;
  #writes: Promise<void> = Promise.resolve();
  /** The input has been read to its end. */
  readDone = false;

  constructor(options: ReportRecorderOptions) {
    this.#options = options;
  }

  snapshot(): ProgressSnapshot {
    const c = this.#options.counter;
    return { read: c.rows, readDone: this.readDone, valid: c.valid, submitted: c.submitted, completed: c.finished, failed: c.failed + c.timedOut, rejected: c.invalid + c.duplicates };
  }

  progress(): void {
    this.#options.onProgress?.(this.snapshot());
  }

  /** Writes a row to the report; its outcome is journaled already, so once written its staged record may go. */
  record(row: ImportReportRow): void {
    const { report, cleanup, onRow, fail } = this.#options;
    onRow?.(row);
    if (!report) {
      cleanup?.reported(row);
      return;
    }
    this.#writes = this.#writes
      .then(() => report.write(row))
      .then(() => cleanup?.reported(row))
      .catch(fail);
  }

  /** A row's outcome as polling (or the reader, or a rejection) left it; `journaled`: it came from the journal. */
  emit(row: ImportReportRow, inputs: DeviceInputs = {}, journaled = false): void {
    const { counter, journal, postImport } = this.#options;
    counter.countOutcome(row.status);
    this.#options.onOutcome?.(row);
    if (journal && !journaled && !rederived(row.status)) journal.rowOutcome(row, "polled");
    // A row the after-import stage will finish is written when the stage gives it back.
    if (!postImport?.take(row, inputs)) this.record(row);
    this.progress();
  }

  /** Every row written; then the report is closed. */
  async close(): Promise<void> {
    await this.#writes;
    await this.#options.report?.close().catch(this.#options.fail);
  }
}
