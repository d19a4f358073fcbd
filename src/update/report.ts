/** The `update` report: one row per input row (or selected device), with what was (or would be) changed. */
import type { ReportColumn } from "../report/columns.js";

/**
 * updated / unchanged / would_update (dry run) / not_found / ambiguous / failed for devices looked up; invalid and
 * duplicate for rows the reader refused.
 */
export type UpdateStatus = "updated" | "unchanged" | "would_update" | "not_found" | "ambiguous" | "failed" | "invalid" | "duplicate";

export const UPDATE_STATUSES: readonly UpdateStatus[] = ["updated", "unchanged", "would_update", "not_found", "ambiguous", "failed", "invalid", "duplicate"];

/** Statuses that leave the run's work not done (exit 1). */
export const NOT_DONE_STATUSES: ReadonlySet<UpdateStatus> = new Set(["not_found", "ambiguous", "failed", "invalid", "duplicate"]);

export interface UpdateReportRow {
  /** The input file as given ("-" for stdin); empty for a --where run. */
  readonly file: string;
  readonly line: number | null;
  readonly serialNumber: string;
  readonly status: UpdateStatus;
  readonly deviceId: string;
  /** `groupTag: 'A' → 'B'; displayName: '' → 'PC-7'`: what was (or would be) sent, or found already done. */
  readonly changes: string;
  readonly message: string;
  /** --add-to-group: per group, added / already member / failed (why); absent when not asked. */
  readonly groups?: string;
}

const column = (header: keyof UpdateReportRow): ReportColumn<UpdateReportRow> => ({ header, value: (row) => row[header] ?? "" });

export const UPDATE_REPORT_COLUMNS: readonly ReportColumn<UpdateReportRow>[] = (
  ["file", "line", "serialNumber", "status", "deviceId", "changes", "message", "groups"] as const
).map(column);

export type UpdateCounts = Record<UpdateStatus, number>;

export function emptyCounts(): UpdateCounts {
  return Object.fromEntries(UPDATE_STATUSES.map((status) => [status, 0])) as UpdateCounts;
}

export function rowsNotDone(counts: UpdateCounts): number {
  return UPDATE_STATUSES.filter((status) => NOT_DONE_STATUSES.has(status)).reduce((sum, status) => sum + counts[status], 0);
}
