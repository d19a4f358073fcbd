/**
 * Library entry point: what a script needs to run an import the way the `import` command does. The CLI is a thin
 * shell over the same modules. The Graph emulator is its own entry point, `autopilot-import/emulator`
 * (src/emulator/public.ts); everything else under src/ is internal and may change in any release.
 */

// Errors: one class per kind of failure (src/cli/exit-codes.ts maps each to an exit code).
export { AutopilotImportError, UsageError, InputFileError, AuthenticationError, ServiceError, StateError, JournalRefusedError, EnvironmentError, InterruptedError } from "./errors.js";
export { GraphRequestError, GraphNetworkError, OutcomeUnknownError } from "./graph/errors/index.js";
export { StateLockedError } from "./state/lock-error.js";
export { SummaryInvariantError } from "./pipeline/summary.js";

// Rows: reading and validating CSV files, and the rows they give.
export { openDeviceReader } from "./csv/reader.js";
export type { DeviceReader, FileSummary, ReaderOptions } from "./csv/types.js";
export type { DeviceIdentity, RowResult, SourceLocation } from "./model/device.js";

// The import: importFiles (files in, a report file out) is what the `import` and `demo` commands and each inbox file
// run; importDevices is its core, over rows from anywhere and a report sink.
export { importFiles, type ImportFilesOptions, type ImportFilesResult } from "./run/import-files.js";
export { importDevices, type ImportDevicesOptions, type ReportSink, type UploadSlots } from "./pipeline/import-devices.js";
export type { Logger } from "./util/logger.js";
export type { ImportReportRow, ImportRowStatus, ImportSummary, CleanupSummary, SyncOutcome, PostImportStage, StagedCleanupStage } from "./pipeline/types.js";
export { formatSummary } from "./pipeline/summary.js";

// The Graph client (openGraph: the client with the upload slots its 429s shrink, as a run uses them).
export { createGraphClient, type GraphConfig, type GraphRuntime } from "./graph/create.js";
export { GraphClient } from "./graph/client.js";
export { openGraph, graphConfigFor, type AuthConfig, type RunGraph } from "./run/graph.js";

// Crash safety: a journal given to importDevices as `journal` makes a run resumable. Journals kept where the CLI keeps
// them (stateLayout + journalFile, under the run key) are seen by `autopilot-import status` and `cleanup`.
// openRunState locks the state directory and opens the run's journal as `import` does; openRunJournal without the lock.
export { openRunState, type RunState, type RunStateOptions } from "./run/state.js";
export { openRunJournal, archiveRunJournal, type RunJournal, type RunJournalOptions } from "./run/journal.js";
export { runTargetFor, type RunTarget } from "./run/target.js";
export { openJournal, type FileJournal, type OpenJournalOptions, type OpenedJournal } from "./state/journal.js";
export { fingerprintFiles, runKey, normalizeTenant } from "./state/fingerprint.js";
export { DEFAULT_STATE_DIR, stateLayout, ensureStateDir, journalFile, type StateLayout } from "./state/state-dir.js";

// After the import: registration check, update of existing devices, sync (createPostImportStage, importDevices'
// `postImport`), and the deletion of the run's staged records (createStagedCleanup, importDevices' `cleanup`).
// buildStages makes both from the settings the CLI takes.
export { buildStages, type RunStages, type RunStagesOptions } from "./run/stages.js";
export type { AfterImportOptions, CleanupSettings } from "./after/options.js";
export { createPostImportStage, type PostImportOptions } from "./after/post-import.js";
export { createStagedCleanup, type StagedCleanup, type StagedCleanupOptions } from "./after/cleanup.js";

export { createLogger, type LogFormat, type LoggerOptions, type LogLevel } from "./log.js";
export { VERSION } from "./version.js";
