/** Counts every row's outcome and checks that none is lost. */
import type { CleanupSummary, ImportReportRow, ImportRowStatus, ImportSummary, SyncOutcome } from "./types.js";
import { countProfileStatus, emptyProfileCounts, profileCountsText, type ProfileCounts } from "../profiles/status.js";

/** Raised when the counts do not add up: a bug, never a user error. */
export class SummaryInvariantError extends Error {
  constructor(summary: ImportSummary) {
    super(
      `row accounting is broken: rows=${summary.rows} but imported+alreadyRegistered+updated+failed+invalid+duplicates+timedOut=` +
        `${accountedRows(summary)}`,
    );
    this.name = "SummaryInvariantError";
  }
}

/** Rows with a final outcome. */
export function accountedRows(s: Pick<ImportSummary, "imported" | "alreadyRegistered" | "updated" | "failed" | "invalid" | "duplicates" | "timedOut">): number {
  return s.imported + s.alreadyRegistered + s.updated + s.failed + s.invalid + s.duplicates + s.timedOut;
}

/** Throws unless every row is accounted for exactly once (and only imported or existing devices count as registered). */
export function assertSummaryInvariant(summary: ImportSummary): void {
  if (
    summary.rows !== accountedRows(summary) ||
    summary.valid !== summary.rows - summary.invalid - summary.duplicates ||
    summary.registered > summary.imported + summary.alreadyRegistered + summary.updated
  ) {
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
  updated = 0;
  failed = 0;
  timedOut = 0;
  registered = 0;
  /** Rows whose registration was checked (yes or no), imported and existing (already registered or updated). */
  checkedImported = 0;
  checkedExisting = 0;
  uploads = 0;
  /** Deployment profiles of the rows followed (--wait-profile); null until one is counted. */
  profiles: ProfileCounts | null = null;

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
      case "updated":
        this.updated += 1;
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

  /** A row an earlier process of the run finished completely (after-import steps included): counted as it stands. */
  countFinal(row: Pick<ImportReportRow, "status" | "registered" | "profileStatus">): void {
    this.countOutcome(row.status);
    this.countRegistered(row);
  }

  private countRegistered(row: Pick<ImportReportRow, "status" | "registered" | "profileStatus">): void {
    if (row.profileStatus !== undefined) countProfileStatus((this.profiles ??= emptyProfileCounts()), row.profileStatus);
    if (row.registered === "yes") this.registered += 1;
    if (row.registered === "unchecked") return;
    if (row.status === "imported") this.checkedImported += 1;
    else if (row.status === "already_registered" || row.status === "updated") this.checkedExisting += 1;
  }

  /**
   * A row the after-import stage finished, already counted with the status polling gave it: moves an existing device
   * to `updated` when its properties were set, and counts a confirmed registration.
   */
  countFinished(row: Pick<ImportReportRow, "status" | "registered" | "profileStatus">, polledStatus: ImportRowStatus): void {
    if (row.status !== polledStatus) {
      this.uncount(polledStatus);
      this.countOutcome(row.status);
    }
    this.countRegistered(row);
  }

  private uncount(status: ImportRowStatus): void {
    if (status === "imported") this.imported -= 1;
    else if (status === "already_registered") this.alreadyRegistered -= 1;
    else if (status === "updated") this.updated -= 1;
    else if (status === "failed") this.failed -= 1;
    else if (status === "timeout") this.timedOut -= 1;
  }

  /** Valid rows that have a final outcome. */
  get finished(): number {
    return this.imported + this.alreadyRegistered + this.updated + this.failed + this.timedOut;
  }

  toSummary(requests: number, durationMs: number, sync: SyncOutcome | null = null, cleanup: CleanupSummary | null = null): ImportSummary {
    return {
      rows: this.rows,
      valid: this.valid,
      invalid: this.invalid,
      duplicates: this.duplicates,
      submitted: this.submitted,
      imported: this.imported,
      alreadyRegistered: this.alreadyRegistered,
      updated: this.updated,
      failed: this.failed,
      timedOut: this.timedOut,
      registered: this.registered,
      checked: { imported: this.checkedImported, existing: this.checkedExisting },
      uploads: this.uploads,
      requests,
      durationMs,
      sync,
      cleanup,
      profiles: this.profiles && { ...this.profiles },
    };
  }
}

const number = new Intl.NumberFormat("en-US");

/**
 * The human summary printed on stderr (a few lines), in the words of the bar and the report: "failed" and "timed out"
 * are valid rows Graph did not import; "rejected" rows (invalid, duplicate) were never submitted.
 */
export function formatSummary(summary: ImportSummary): string {
  const seconds = (summary.durationMs / 1000).toFixed(1);
  const n = (value: number): string => number.format(value);
  /** "1 row", "2 rows". */
  const of = (value: number, noun: string): string => `${n(value)} ${noun}${value === 1 ? "" : "s"}`;
  const lines = [
    `${of(summary.rows, "row")}: ${n(summary.imported)} imported, ${n(summary.alreadyRegistered)} already registered, ` +
      (summary.updated > 0 ? `${n(summary.updated)} updated, ` : "") +
      `${n(summary.failed)} failed, ${n(summary.timedOut)} timed out; ${n(summary.invalid + summary.duplicates)} rejected (${n(summary.invalid)} invalid, ${of(summary.duplicates, "duplicate")})`,
    `${of(summary.submitted, "device")} submitted in ${of(summary.uploads, "upload")}, ${of(summary.requests, "Graph request")}, ${seconds} s`,
  ];
  if (summary.sync !== null) lines.push(registeredLine(summary), `sync: ${summary.sync.message}`);
  if (summary.profiles) lines.push(`deployment profiles: ${profileCountsText(summary.profiles)}`);
  return `${lines.join("\n")}\n`;
}

/** "registered in Autopilot: R of C confirmed": C counts only the devices checked; those not checked are said apart. */
export function registeredLine(summary: ImportSummary): string {
  const existing = summary.alreadyRegistered + summary.updated;
  const checked = summary.checked ?? { imported: summary.imported, existing };
  const total = checked.imported + checked.existing;
  const notChecked = [
    summary.imported > checked.imported ? `${number.format(summary.imported - checked.imported)} imported` : "",
    existing > checked.existing ? `${number.format(existing - checked.existing)} already registered (806)` : "",
  ].filter(Boolean);
  const rest = notChecked.length > 0 ? `${notChecked.join(" and ")} not checked` : "";
  if (total === 0) return `registered in Autopilot: ${rest || "nothing to check"}`;
  return `registered in Autopilot: ${number.format(summary.registered)} of ${number.format(total)} checked confirmed${rest ? `; ${rest}` : ""}`;
}
