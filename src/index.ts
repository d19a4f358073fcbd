/** Library entry point: the CLI is a thin shell over these. */
export * from "./errors.js";
export * from "./model/device.js";

// CSV reader, validation and reports (src/csv, src/model, src/report).
export type { FileSummary, ReaderOptions, DeviceReader } from "./csv/types.js";
export { openDeviceReader } from "./csv/reader.js";
export type { EncodingLabel } from "./csv/encoding.js";
export type { Delimiter } from "./csv/delimiter.js";
export { HEADER_ALIASES } from "./csv/header.js";
export { DEVICE_FIELDS, FIELD_LABELS, type DeviceField } from "./model/fields.js";
export { deviceInputSchema, type DeviceInput } from "./model/schema.js";
export { validateDevice, validateDeviceWithSchema, type DeviceValidation, type FieldProblem } from "./model/validate.js";
export { checkHardwareHash } from "./model/hardware-hash.js";
export type { FieldCheck } from "./model/field-check.js";
export { DuplicateTracker, type DuplicateHit } from "./model/duplicates.js";
export * from "./model/limits.js";
export { openReportWriter, type ReportWriter, type ReportWriterOptions } from "./report/writer.js";
export { reportFormatFor, type ReportColumn, type ReportFormat, type CellValue } from "./report/columns.js";
export { csvCell, neutralizeFormula } from "./report/csv-format.js";
export { formatReport } from "./report/format.js";
export { validationReportColumns } from "./report/validation-report.js";
export {
  generateDeviceRows,
  generateDeviceCsv,
  writeDeviceCsv,
  LAYOUT_HEADERS,
  DEFECTS,
  type GenerateOptions,
  type GeneratedRow,
  type GenerationStats,
  type DeviceCsvLayout,
  type Defect,
  type ExpectedStatus,
} from "./fixtures/generate.js";
export {
  startEmulator,
  loadScenarioFile as loadEmulatorScenarioFile,
  parseScenario as parseEmulatorScenario,
  ScenarioError as EmulatorScenarioError,
} from "./emulator/index.js";
export type {
  EmulatorHandle,
  StartEmulatorOptions,
  EmulatorStats,
  FaultRecord as EmulatorFaultRecord,
  RegisteredDeviceInput as EmulatorRegisteredDevice,
  Scenario as EmulatorScenario,
  ScenarioInput as EmulatorScenarioInput,
} from "./emulator/index.js";

// Graph client and logging (src/graph, src/log.ts).
export {
  GraphClient,
  createGraphClient,
  createCredential,
  planCredential,
  createTransport,
  resolveEndpoints,
  CLOUDS,
  AdaptiveLimiter,
  MAX_BATCH_SIZE,
  DEFAULT_RETRY_OPTIONS,
  GraphRequestError,
  GraphNetworkError,
  OutcomeUnknownError,
} from "./graph/index.js";
export type {
  GraphClientOptions,
  GraphConfig,
  GraphRuntime,
  GraphLogger,
  GraphVersion,
  GraphStats,
  ThrottleObserver,
  CredentialConfig,
  CredentialMethod,
  CredentialPlan,
  CloudName,
  ProxyConfig,
  Transport,
  TransportOptions,
  AdaptiveLimiterOptions,
  BatchItemResult,
  BatchOptions,
  RetryOptions,
  GraphRequest,
  GraphResponse,
  GraphPage,
  GraphErrorBody,
  ImportedDeviceIdentity,
  ImportedDeviceIdentityUpload,
  AutopilotDeviceIdentity,
  AutopilotSettings,
  DeviceImportStatus,
} from "./graph/index.js";
export { createLogger, type LoggerOptions, type LogLevel } from "./log.js";

// Import pipeline (src/pipeline): importDevices is what the `import` and `demo` commands run.
export { importDevices, type ImportDevicesOptions, type ReportSink, type PipelineLogger, type UploadSlots } from "./pipeline/import-devices.js";
export { planUploads, formatPlan, type ImportPlan, type PlannedUpload, type PlannedRow } from "./pipeline/plan.js";
export { graphStagedApi, toGraphDevice } from "./pipeline/graph-staged-api.js";
export type { StagedApi, ListOptions as StagedListOptions, ServiceCapabilities } from "./pipeline/staged-api.js";
export { importReportColumns } from "./pipeline/report-columns.js";
export {
  IMPORT_REPORT_COLUMNS,
  type ImportReportRow,
  type ImportRowStatus,
  type ImportSummary,
  type Upload,
  type PostImportStage,
  type PostImportCompletion,
  type SyncOutcome,
  type StagedCleanupStage,
  type CleanupSummary,
  type CleanupJournal,
} from "./pipeline/types.js";
export { assertSummaryInvariant, formatSummary, SummaryInvariantError } from "./pipeline/summary.js";
export { adviceFor, verdictFor } from "./pipeline/outcomes.js";
export { DEFAULT_BATCH_SIZE, DEFAULT_CONCURRENCY, DEFAULT_POLL_TIMEOUT_MS, MAX_BATCH_SIZE as MAX_UPLOAD_SIZE } from "./pipeline/defaults.js";
export { parseDuration, formatDuration } from "./pipeline/duration.js";
export type { ImportJournal, JournaledRow, JournaledStaged, UnconfirmedUpload, UploadAnswer, StagedRow, InputCounts } from "./pipeline/journal-port.js";

// Crash safety (src/state): a FileJournal given to importDevices as `journal` makes a run resumable.
export * from "./state/index.js";

// After the import (src/after): sync, registration check, updating existing devices; `createPostImportStage` plugs
// them into importDevices. The cleanup of staged records: `createStagedCleanup` (importDevices' `cleanup`),
// `deleteStagedRecords` (ids you hold), `cleanupRuns` (what journaled runs left in a state directory).
export * from "./after/index.js";

// Inbox mode (src/inbox): what `autopilot-import run --inbox DIR` runs, for scheduled jobs.
export * from "./inbox/index.js";
