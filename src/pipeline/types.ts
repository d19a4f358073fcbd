/** Types shared by the import pipeline's stages: uploads, tracked devices, outcomes and the summary. */
import type { DeviceIdentity, SourceLocation } from "../model/device.js";
import type { DeviceImportStatus, UploadStatus } from "../graph/resources.js";

/** A device's final status in the import report. */
export type ImportRowStatus = "imported" | "already_registered" | "failed" | "invalid" | "duplicate" | "timeout";

/** One line of the import report: every input row gets exactly one. */
export interface ImportReportRow {
  readonly file: string;
  readonly line: number;
  readonly serialNumber: string;
  readonly status: ImportRowStatus;
  /** Graph's numeric deviceErrorCode (as text), empty when there is none. */
  readonly errorCode: string;
  /** Graph's deviceErrorName, or the validator's reason code for invalid/duplicate rows. */
  readonly errorName: string;
  /** What happened and what the operator can do about it. */
  readonly message: string;
  readonly uploadId: string;
  readonly importedDeviceId: string;
  readonly deviceRegistrationId: string;
}

/** The report's columns, in order. */
export const IMPORT_REPORT_COLUMNS = [
  "file",
  "line",
  "serialNumber",
  "status",
  "errorCode",
  "errorName",
  "message",
  "uploadId",
  "importedDeviceId",
  "deviceRegistrationId",
] as const satisfies readonly (keyof ImportReportRow)[];

/** A valid row waiting to be submitted: the only place a hardware hash is held. */
export interface PendingDevice {
  readonly location: SourceLocation;
  readonly device: DeviceIdentity;
}

/** This tool's unit of batching, modelled on importedWindowsAutopilotDeviceIdentityUpload. */
export interface Upload {
  /** A UUID we generate; sent as every device's `importId` (or the service's id with `--api upload`). */
  id: string;
  readonly createdDateTimeUtc: string;
  status: UploadStatus;
  /** Released (set to an empty array) once submitted, so hashes are not kept. */
  devices: readonly PendingDevice[];
  /** How many devices the upload started with. */
  readonly size: number;
}

/** What is kept per device after submission, until it reaches a final state: no hash. */
export interface TrackedDevice {
  readonly file: string;
  readonly line: number;
  readonly serialNumber: string;
  readonly uploadId: string;
  /** The staged record's id (importedWindowsAutopilotDeviceIdentity.id). */
  readonly stagedId: string;
  /** When the device was staged (ms since the epoch, injected clock). */
  readonly stagedAt: number;
  status: DeviceImportStatus;
  /** Full listings in a row that did not contain this record (it may have been deleted by someone else). */
  misses: number;
}

/** The end-of-run counts printed by `--json`. */
export interface ImportSummary {
  /** Every input row; equals imported + alreadyRegistered + failed + invalid + duplicates + timedOut. */
  rows: number;
  valid: number;
  invalid: number;
  duplicates: number;
  /** Devices sent to Graph (each at most once). */
  submitted: number;
  imported: number;
  alreadyRegistered: number;
  failed: number;
  timedOut: number;
  uploads: number;
  /** HTTP requests sent to Graph (retries included, a $batch counts once). */
  requests: number;
  durationMs: number;
}
