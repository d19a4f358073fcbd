/** Counts every row's outcome and checks that none is lost. */
import type { ImportRowStatus, ImportSummary } from "./types.js";

/** Raised when the counts do not add up: a bug, never a user error. */
export class SummaryInvariantError extends Error {
  constructor(summary: ImportSummary) {
    super(
      `row accounting is broken: rows=${summary.rows} but imported+alreadyRegistered+failed+invalid+duplicates+timedOut=` +
        `${accountedRows(summary)}`,
    );
    this.name = "SummaryInvariantError";
  }
}

/** Rows with a final outcome. */
export function accountedRows(s: Pick<ImportSummary, "imported" | "alreadyRegistered" | "failed" | "invalid" | "duplicates" | "timedOut">): number {
  return s.imported + s.alreadyRegistered + s.failed + s.invalid + s.duplicates + s.timedOut;
}

/** Throws unless every row is accounted for exactly once. */
export function assertSummaryInvariant(summary: ImportSummary): void {
  if (summary.rows !== accountedRows(summary) || summary.valid !== summary.rows - summary.invalid - summary.duplicates) {
    throw new SummaryInvariantError(summary);
  }
}

/** Mutable counters filled in as rows and outcomes arrive. */
export class SummaryCounter {
  rows = 0;
  valid = 0;
  invalid = 0;
  duplicates = 0;
  submitted = 0;
  imported = 0;
  alreadyRegistered = 0;
  failed = 0;
  timedOut = 0;
  uploads = 0;

  /** A row read from the input. */
  countRow(status: "valid" | "invalid" | "duplicate"): void {
    this.rows += 1;
    if (status === "valid") this.valid += 1;
    else if (status === "invalid") this.invalid += 1;
    else this.duplicates += 1;
  }

  /** A valid row's final outcome. */
  countOutcome(status: ImportRowStatus): void {
    switch (status) {
      case "imported":
        this.imported += 1;
        break;
      case "already_registered":
        this.alreadyRegistered += 1;
        break;
      case "failed":
        this.failed += 1;
        break;
      case "timeout":
        this.timedOut += 1;
        break;
      case "invalid":
      case "duplicate":
        // Counted when read (countRow): the reader's verdict is final.
        break;
    }
  }

  /** Valid rows that have a final outcome. */
  get finished(): number {
    return this.imported + this.alreadyRegistered + this.failed + this.timedOut;
  }

  toSummary(requests: number, durationMs: number): ImportSummary {
    return {
      rows: this.rows,
      valid: this.valid,
      invalid: this.invalid,
      duplicates: this.duplicates,
      submitted: this.submitted,
      imported: this.imported,
      alreadyRegistered: this.alreadyRegistered,
      failed: this.failed,
      timedOut: this.timedOut,
      uploads: this.uploads,
      requests,
      durationMs,
    };
  }
}

/** The human summary printed on stderr (a few lines). */
export function formatSummary(summary: ImportSummary): string {
  const seconds = (summary.durationMs / 1000).toFixed(1);
  const lines = [
    `${summary.rows} rows: ${summary.imported} imported, ${summary.alreadyRegistered} already registered, ` +
      `${summary.failed} failed, ${summary.timedOut} timed out, ${summary.invalid} invalid, ${summary.duplicates} duplicates`,
    `${summary.submitted} devices submitted in ${summary.uploads} uploads, ${summary.requests} Graph requests, ${seconds} s`,
  ];
  return `${lines.join("\n")}\n`;
}
