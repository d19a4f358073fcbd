/** The `deregister` run's records: one report row per input row, and the summary its counts make. */
import type { SourceLocation } from "../model/device.js";

/**
 * deleted: the record is gone (404 after its DELETE). pending: the service accepted the DELETE and the record was
 * still listed at the deadline. enrolled: still enrolled in Intune, not deleted. not_found / ambiguous: no record, or
 * several, with this exact serial (nothing deleted: never guessed). failed: a lookup or a write failed (the service's
 * words in the message). invalid / duplicate: the row itself. would_delete: --dry-run only.
 */
export type DeregisterStatus = "deleted" | "pending" | "enrolled" | "not_found" | "ambiguous" | "failed" | "invalid" | "duplicate" | "would_delete";

export interface DeregisterReportRow {
  readonly file: string;
  readonly line: number;
  readonly serialNumber: string;
  readonly status: DeregisterStatus;
  /** The Autopilot record's id (several, space-separated, for `ambiguous`). */
  readonly autopilotId: string;
  /** The Intune managed device this run deleted first (--delete-intune-record), else empty. */
  readonly intuneIdDeleted: string;
  readonly message: string;
}

/** A row read from the list and found valid, with its journal key. */
export interface ListedRow {
  readonly key: string;
  readonly location: SourceLocation;
  readonly serialNumber: string;
}

export type DeregisterCounts = Record<DeregisterStatus, number>;

export function emptyCounts(): DeregisterCounts {
  return { deleted: 0, pending: 0, enrolled: 0, not_found: 0, ambiguous: 0, failed: 0, invalid: 0, duplicate: 0, would_delete: 0 };
}

export interface DeregisterSummary {
  /** Input rows, each with exactly one report row. */
  readonly rows: number;
  readonly counts: DeregisterCounts;
  /** Intune managed devices deleted first (--delete-intune-record). */
  readonly intuneDeleted: number;
  /** Rows an earlier attempt had finished (reported as journaled, nothing sent for them). */
  readonly resumedRows: number;
  /** Set when deleting managed devices was refused for lack of DeviceManagementManagedDevices.ReadWrite.All. */
  readonly intunePermissionMissing: boolean;
  /** HTTP requests sent to Graph (a $batch counts once). */
  readonly requests: number;
}
