/** The inbox job's options and results (see job.ts). */
import type { GraphClient } from "../graph/client.js";
import type { ImportDevicesOptions, UploadSlots } from "../pipeline/import-devices.js";
import type { IntervalPolicy } from "../pipeline/poll-strategy.js";
import type { ProgressSnapshot } from "../pipeline/progress.js";
import type { ImportSummary, SyncOutcome } from "../pipeline/types.js";
import type { AfterImportOptions, CleanupSettings } from "../after/options.js";
import type { RunTarget } from "../run/target.js";
import type { InboxReportFormat } from "./names.js";
import type { InboxFile, SkippedFile } from "./scan.js";
import type { Logger } from "../util/logger.js";
import type { RowOverrides } from "../csv/types.js";
import type { CsvDelimiter } from "../report/csv-format.js";


/** Told as the job goes (the CLI's lines and progress). */
export interface InboxEvents {
  readonly onFileStart?: (file: InboxFile) => void;
  readonly onProgress?: (snapshot: ProgressSnapshot) => void;
  /** A file was moved (or, without a result, it stays in the inbox: the job stopped on it; `journaled` when its import had begun). */
  readonly onFileEnd?: (file: InboxFile, result: InboxFileResult | undefined, journaled?: boolean) => void;
  /** An after-import step or the job's sync starts (one line for people). */
  readonly onStep?: (message: string) => void;
}

export interface InboxJobOptions {
  /** The folder holding inbox/, done/ and failed/. */
  readonly dir: string;
  /** Default `<dir>/.autopilot-import`. */
  readonly stateDir?: string;
  /** Take the lock whoever holds it (--force-unlock). */
  readonly forceUnlock?: boolean;
  readonly client: GraphClient;
  /** Upload slots shared by the job's files (the client's throttle observer, so 429s shrink it). */
  readonly limiter: UploadSlots;
  readonly target: RunTarget;
  readonly api?: "import" | "upload";
  readonly batchSize?: number;
  readonly pollTimeoutMs?: number;
  readonly pollPolicy?: Partial<IntervalPolicy>;
  /** The after-import steps per file; `sync` is the job's one sync, after its last file. */
  readonly after: AfterImportOptions;
  /**
   * Delete each file's staged records once their outcomes are reported (src/after/cleanup.ts), one write budget for the
   * whole job; the file is moved before the cleanup's remainder runs. Absent or disabled: no cleanup.
   */
  readonly cleanup?: CleanupSettings;
  /** How long a file must be unchanged before it is taken; 0 takes every file at once. */
  readonly settleMs: number;
  readonly reportFormat?: InboxReportFormat;
  /** The CSV reports' separator; by default each file's own. */
  readonly reportDelimiter?: CsvDelimiter;
  /** Group tag and assigned user for every row of every file (--group-tag, --assigned-user). */
  readonly overrides?: RowOverrides;
  readonly logger?: Logger;
  readonly signal?: AbortSignal;
  readonly events?: InboxEvents;
  readonly now?: () => number;
  /** Waits of polling and the after-import steps (the settle wait is always real: file times are wall-clock times). */
  readonly sleep?: ImportDevicesOptions["sleep"];
}

export interface InboxFileResult {
  readonly name: string;
  /**
   * done: every row imported, already registered or updated; failed: any row not, the file could not be read or was
   * never read (a link, no permission), or it changed or vanished during its import; unmoved: its rows have their
   * outcomes but it could not be moved (it stays in the inbox, the next job moves it without importing it again).
   */
  readonly outcome: "done" | "failed" | "unmoved";
  /** Its import's counts (with the cleanup's, when it ran); all zero for a file never read. */
  readonly summary: ImportSummary;
  /** Why the file (or its end) could not be read, as the reader says, or why it was never read; null when read whole. */
  readonly error: string | null;
  /** Never read (a link, an unreadable file): moved to failed/ with a note, no report. */
  readonly quarantined: boolean;
  /** The inbox file changed (appended to, replaced) or vanished (deleted) while it was imported. */
  readonly change: "changed" | "vanished" | null;
  /** Why the move failed (outcome unmoved). */
  readonly moveError: string | null;
  /** Where the CSV went; null when it vanished or could not be moved. */
  readonly movedTo: string | null;
  /** The report; null for a file never read. */
  readonly report: string | null;
  /** The note beside a file that could not be read, was never read, changed or vanished. */
  readonly note: string | null;
  /** An earlier job worked on it (resumed from its journal). */
  readonly resumed: boolean;
}

export interface InboxJobResult {
  readonly dir: string;
  /** Files moved to done/ or failed/ by this job, in order. */
  readonly files: readonly InboxFileResult[];
  /** Files left in the inbox, and why. */
  readonly skipped: readonly SkippedFile[];
  /** Moves an earlier job planned and did not finish, finished now (the files' new paths). */
  readonly recovered: readonly string[];
  /** Moves an earlier job planned that failed again (retried by the next job), with why. */
  readonly unrecovered: ReadonlyArray<{ readonly name: string; readonly error: string }>;
  /** The job's one sync: triggered when any device was imported (by this job, or by one that stopped before its sync). */
  readonly sync: SyncOutcome;
  /** Why the job stopped early (auth, a fatal service error, a signal, an unusable folder); the file stays in the inbox. */
  readonly stopped: { readonly file: string | null; readonly error: unknown } | null;
  /** Staged records earlier runs of the state directory left, deleted (or still left) after the files; null: none found. */
  readonly leftovers?: { readonly deleted: number; readonly remaining: number } | null;
  readonly durationMs: number;
}
