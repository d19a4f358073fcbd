/**
 * The journal port: what importDevices writes ahead of each step, and what it asks about an earlier, interrupted
 * process of the same run. src/state implements it over a file; without one (library use, standard input) nothing
 * is journaled and nothing is resumed.
 */
import type { TraitName } from "../graph/service-traits.js";
import type { SourceLocation } from "../model/device.js";
import type { ImportReportRow, ImportSummary, SyncOutcome, Upload } from "./types.js";

/** A valid row an earlier process handled. */
export type JournaledRow =
  /** It has an outcome: `final` once the after-import steps are done with it, else as polling left it. */
  | { readonly kind: "outcome"; readonly row: ImportReportRow; readonly final: boolean }
  /** It is staged and being polled again (see `inFlight`). */
  | { readonly kind: "inFlight" };

export interface JournaledDevice {
  readonly location: SourceLocation;
  readonly serialNumber: string;
}

/** An upload planned (and perhaps sent) whose answer never reached the journal. */
export interface UnconfirmedUpload {
  /** The importId its devices carry. */
  readonly id: string;
  readonly plannedAt: number;
  /** Its rows that have no outcome yet. */
  readonly devices: readonly JournaledDevice[];
  /**
   * Set for rows a damaged journal no longer accounts for (never sent under this id: they may be in any upload of the
   * run, or in none): found by serial number; a record carrying one of `knownUploads` (the run's ids the intact
   * records name) is ours, any other record of the serial leaves the row in doubt.
   */
  readonly recovery?: { readonly knownUploads: ReadonlySet<string> };
}

/** Upload ids of recovery uploads (see UnconfirmedUpload.recovery): planned in the journal, never sent. */
export const RECOVERY_UPLOAD_PREFIX = "recovery-";

/** A staged device without an outcome. */
export interface JournaledStaged extends JournaledDevice {
  readonly uploadId: string;
  readonly stagedId: string;
  readonly stagedAt: number;
}

export interface StagedRow extends JournaledDevice {
  readonly stagedId: string;
}

/** Graph's answer to an upload, or what reconciling it found. */
export interface UploadAnswer {
  readonly staged: readonly StagedRow[];
  /** Refused by Graph (their outcome is journaled as rows). */
  readonly rejected: readonly SourceLocation[];
  /** Not staged: free to be submitted again. */
  readonly notStaged: readonly SourceLocation[];
  readonly reconciled: boolean;
  readonly stagedAt: number;
}

export interface InputCounts {
  readonly rows: number;
  readonly valid: number;
  readonly invalid: number;
  readonly duplicates: number;
}

export interface ImportJournal {
  // What earlier processes of this run left (nothing for a new run).
  /** Whether an earlier process recorded anything. */
  readonly resumed: boolean;
  /** The input files as fingerprinted for the run's key: exactly these bytes are read (absent: read as they are). */
  readonly inputs?: ReadonlyArray<{ readonly path: string; readonly size: number; readonly sha256: string }>;
  /** Uploads never confirmed, to reconcile against Graph before anything is sent. */
  unconfirmedUploads(): readonly UnconfirmedUpload[];
  /** Staged devices without an outcome, oldest first (call after reconciling). */
  inFlight(): readonly JournaledStaged[];
  /** What the journal knows of a valid row (by file, line and serial number); undefined: it must be submitted. */
  lookup(location: SourceLocation, serialNumber: string): JournaledRow | undefined;
  /** Rows with an outcome that lookup never handed out: the report after an interruption still lists them. */
  unreported(): Iterable<ImportReportRow>;
  /**
   * Rows imported and finished by an earlier process (a sync is due for them), uploads of earlier processes that
   * reached the service, and a sync already done.
   */
  readonly earlier: { readonly imported: number; readonly uploads: number; readonly sync: SyncOutcome | undefined };
  /** What earlier processes learned of the service (src/graph/service-traits.ts). */
  readonly traits: ReadonlyMap<TraitName, boolean>;
  /** The staged record ids in the tenant before the run first sent anything, if recorded. */
  readonly baseline: ReadonlySet<string> | undefined;

  // Written ahead of each step.
  /** The upload's importId and rows, durable before it returns (before anything is sent). */
  uploadPlanned(upload: Upload): void;
  /** Staged ids per row once Graph answered (durable). */
  uploadSubmitted(uploadId: string, answer: UploadAnswer): void;
  /** A row's outcome: `polled` as polling or a rejection left it, `final` after the after-import steps. */
  rowOutcome(row: ImportReportRow, phase: "polled" | "final"): void;
  inputRead(counts: InputCounts): void;
  /** An answer learned about the service (durable: a resume relies on it). */
  serviceTrait(name: TraitName, value: boolean): void;
  /** The staged ids present before the first submission (durable, before anything is sent). */
  stagedBaseline(ids: ReadonlySet<string>): void;
  syncOutcome(sync: SyncOutcome): void;
  /** Every row has its outcome and the report is complete. */
  finished(summary: ImportSummary): void;
  /** Puts everything written so far on disk. */
  flush(): void;

  // The cleanup of staged records (src/after/cleanup.ts).
  /** Staged records of this run deleted (or found gone): durable, after each $batch of deletes. */
  stagedDeleted(ids: readonly string[]): void;
  /** Whether this run (this or an earlier process) deleted a staged record already. */
  isStagedDeleted(id: string): boolean;
}
