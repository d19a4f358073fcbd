/** After the import: Autopilot sync, registration check, updating existing devices, the stage that runs them, and the cleanup of staged records. */
export { createPostImportStage, type PostImportOptions } from "./post-import.js";
export {
  triggerAutopilotSync,
  syncSucceeded,
  SYNC_PATH,
  MAX_SYNC_TRIGGERS,
  DEFAULT_SYNC_MAX_WAIT_MS,
  DEFAULT_SYNC_POLL,
  type SyncOptions,
  type SyncResult,
  type SyncStatus,
} from "./sync.js";
export { syncWindowOpensAt, parseGraphTime, SYNC_INTERVAL_MS, type SyncWindow, type SyncWindowInput } from "./sync-window.js";
export { readAutopilotSettings, formatSettings, nextManualSyncAllowedAt, SETTINGS_PATH } from "./settings.js";
export {
  verifyRegistration,
  DEFAULT_VERIFY_TIMEOUT_MS,
  DEFAULT_VERIFY_POLL,
  type Registered,
  type VerifyOptions,
  type VerifyOutcome,
  type VerifyResult,
  type VerifyStats,
  type VerifyTarget,
} from "./verify.js";
export { chooseVerifyStrategy, verifyCosts, listingBudget, type VerifyCost, type VerifyCounts, type VerifyStrategy } from "./verify-strategy.js";
export {
  updateExistingDevices,
  propertyChanges,
  type ExistingDevice,
  type PropertyChanges,
  type UpdateOutcome,
  type UpdateReason,
  type UpdateResult,
} from "./update-existing.js";
export { REGISTERED_PATH, findBySerials, exactSerialMatches, serialKey } from "./registered.js";
export { nextBackoff, waitWithinDeadline, type BackoffPolicy } from "../util/backoff.js";
export type { AfterRuntime } from "./types.js";
export {
  createStagedCleanup,
  deleteStagedRecords,
  StagedCleanup,
  STAGED_PATH,
  DEFAULT_CLEANUP_MAX_TIME_MS,
  DEFAULT_RESERVE_SHARE,
  type StagedCleanupOptions,
  type DeleteStagedOptions,
  type CleanupProgress,
} from "./cleanup.js";
export { cleanupRuns, type CleanupRunsOptions, type CleanupRunsResult, type RunCleanup } from "./cleanup-runs.js";
export { WritePacer, DEFAULT_WRITE_LIMIT, MAX_DELETE_BATCH, deleteDurationMs, checkWriteLimit, type WriteLimit } from "./write-pacer.js";
