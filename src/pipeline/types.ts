/** Types shared by the import pipeline's stages: uploads, tracked devices, outcomes and the summary. */
import type { DeviceIdentity, SourceLocation } from "../model/device.js";
import type { DeviceImportStatus, UploadStatus } from "../graph/resources.js";
import type { ProfileCounts, ProfileStatus } from "../profiles/status.js";

/** A device's final status in the import report; `updated`: already registered, group tag or user set (--update-existing). */
export type ImportRowStatus = "imported" | "already_registered" | "updated" | "failed" | "invalid" | "duplicate" | "timeout";

/** Whether the device was confirmed in windowsAutopilotDeviceIdentities: `unchecked` when not looked for. */
export type Registered = "yes" | "no" | "unchecked";

/** One line of the import report: every input row gets exactly one. */
export interface ImportReportRow {
  readonly file: string;
  readonly line: number;
  readonly serialNumber: string;
  readonly status: ImportRowStatus;
  /** Graph's numeric deviceErrorCode (as text), or the validator's reason code for invalid/duplicate rows. */
  readonly errorCode: string;
  /** Graph's deviceErrorName, or the validator's reason code for invalid/duplicate rows. */
  readonly errorName: string;
  /** What happened and what the operator can do about it: never empty. */
  readonly message: string;
  /** The group tag sent with the device (from the file or --group-tag); empty when none or not submitted. */
  readonly groupTag: string;
  /** The assigned user's UPN sent with the device (from the file or --assigned-user); empty when none or not submitted. */
  readonly assignedUser: string;
  readonly uploadId: string;
  readonly importedDeviceId: string;
  readonly deviceRegistrationId: string;
  readonly registered: Registered;
  /** With --wait-profile: the deployment profile assignment of a registered device (src/profiles); absent otherwise. */
  readonly profileStatus?: ProfileStatus;
  readonly profileName?: string;
  /** --add-to-group: per group, added / already member / failed (why); absent when not asked or not registered. */
  readonly groups?: string;
}

/** The report's columns, in order (then profileStatus and profileName: report-columns.ts). */
export const IMPORT_REPORT_COLUMNS = [
  "file",
  "line",
  "serialNumber",
  "status",
  "errorCode",
  "errorName",
  "message",
  "groupTag",
  "assignedUser",
  "uploadId",
  "importedDeviceId",
  "deviceRegistrationId",
  "registered",
  "groups",
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
  /** The CSV's values, kept for the after-import steps (updating an already registered device). */
  readonly groupTag?: string | undefined;
  readonly assignedUserPrincipalName?: string | undefined;
  status: DeviceImportStatus;
  /** Full listings in a row that did not contain this record (it may have been deleted by someone else). */
  misses: number;
}

/** What became of the Autopilot sync after the import (see src/after/sync.ts for the statuses). */
export interface SyncOutcome {
  /** skipped: not asked for, or no device was imported; error: the attempt failed (message says why). */
  readonly status: "triggered" | "joined" | "running" | "tooSoon" | "failed" | "skipped" | "error";
  /** tooSoon: when it can be run (ISO 8601). */
  readonly retryAt?: string;
  readonly message: string;
}

/** The end-of-run counts printed by `--json`. */
export interface ImportSummary {
  /** Every input row; equals imported + alreadyRegistered + updated + failed + invalid + duplicates + timedOut. */
  rows: number;
  valid: number;
  invalid: number;
  duplicates: number;
  /** Devices sent to Graph (each at most once). */
  submitted: number;
  imported: number;
  alreadyRegistered: number;
  /** Already registered, and their group tag or user updated from the CSV. */
  updated: number;
  failed: number;
  timedOut: number;
  /** Rows confirmed in windowsAutopilotDeviceIdentities (registered = yes). */
  registered: number;
  /** Rows whose registration was checked (registered yes or no): imported ones, and already registered or updated ones. */
  checked?: { readonly imported: number; readonly existing: number };
  uploads: number;
  /** HTTP requests sent to Graph (retries included, a $batch counts once). */
  requests: number;
  durationMs: number;
  /** The sync after the import; null when the run had no after-import stage. */
  sync: SyncOutcome | null;
  /** The deletion of this run's staged records; null when the run had no cleanup (--no-cleanup). */
  cleanup: CleanupSummary | null;
  /** Deployment profiles of the rows followed (--wait-profile); null when none was. */
  profiles?: ProfileCounts | null;
}

/** What the cleanup of staged records did (src/after/cleanup.ts). */
export interface CleanupSummary {
  /** Staged records of the reported rows that are deleted (by an earlier process too; a 404 counts as deleted). */
  readonly deleted: number;
  /** Those not deleted: left for `autopilot-import cleanup`, or for a re-run of the same import. */
  readonly remaining: number;
  /** Why some remain (null when none do): the time limit, a signal, an error, or deletes the service refused. */
  readonly stoppedBy: "timeLimit" | "interrupted" | "error" | "refused" | null;
  /** With `stoppedBy` "error" or "refused": what went wrong. */
  readonly error?: string;
}

/** The slice of the run's journal the cleanup uses (src/state implements it). */
export interface CleanupJournal {
  /** Deleted (or found gone) staged records: durable before it returns. */
  stagedDeleted(ids: readonly string[]): void;
  isStagedDeleted(id: string): boolean;
  /** Puts what was written on disk: an outcome is durable before its staged record is deleted. */
  flush(): void;
}

/**
 * Deletes the staged records of this run (src/after/cleanup.ts: createStagedCleanup), at the lowest priority: the
 * pipeline tells it which rows are journaled and reported, when a submission waits for a slot (deletes hold back),
 * and when the report is complete (the rest is deleted until a time limit).
 */
export interface StagedCleanupStage {
  /** Starts the background deletes; `signal` stops them (the import failed or was interrupted). */
  start(context: { readonly journal?: CleanupJournal; readonly signal: AbortSignal }): void;
  /** The row's outcome is journaled and written to the report: its staged record, if it has one, may be deleted. */
  reported(row: ImportReportRow): void;
  /** Something with priority (a submission waiting for a slot, the after-import stage) holds deletes back until released. */
  hold(): () => void;
  /** Writes the import sent (submissions): deletes are paced around them. */
  noteWrites(count: number): void;
  /**
   * With `ok`, the report is complete: deletes what is left until done or the time limit (`signal` stops it);
   * without, stops at once. Never throws: an interruption comes back as `stoppedBy` "interrupted".
   */
  finish(ok: boolean, signal: AbortSignal): Promise<CleanupSummary>;
}

/** The CSV values an after-import step may need for a device. */
export type DeviceInputs = Pick<TrackedDevice, "groupTag" | "assignedUserPrincipalName">;

/**
 * Steps that run once polling is over (src/after/post-import.ts): registration check, updating existing devices, sync.
 * The pipeline offers it every row polling finished; the stage holds back those it will finish.
 */
export interface PostImportStage {
  /** True when the stage holds this row: it is written when `complete` gives it back. */
  take(row: ImportReportRow, inputs: DeviceInputs): boolean;
  /**
   * Finishes the held rows (each given back once, with the status polling gave it). With `ok` false (the import
   * failed) they come back unchanged. Service failures become `unchecked` rows and messages; an interruption comes
   * back as `error`, after the rows.
   */
  complete(ok: boolean, signal: AbortSignal): Promise<PostImportCompletion>;
  /**
   * A resumed run: `imported` rows were imported and finished by an earlier process (they are not offered again, yet
   * a sync is due for them), and `sync`, when set, is the sync that process already triggered (not triggered again).
   */
  resumed?(earlier: { readonly imported: number; readonly sync: SyncOutcome | undefined }): void;
}

export interface PostImportCompletion {
  readonly rows: ReadonlyArray<{ readonly row: ImportReportRow; readonly polledStatus: ImportRowStatus }>;
  readonly sync: SyncOutcome;
  /**
   * The sync was refused by the 10-minute rule and waiting was chosen: waits for the window and triggers once more.
   * Run after the outcomes are told (never throws for a signal: the outcome says the wait was stopped).
   */
  readonly syncLater?: (signal: AbortSignal) => Promise<SyncOutcome>;
  readonly error?: unknown;
}
