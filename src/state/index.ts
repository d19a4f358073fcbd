/** Crash safety (src/state): the run journal, its replay, the state directory and its lock, and run status. */
export { openJournal, FileJournal, DEFAULT_OUTCOME_SYNC_MS, type OpenJournalOptions, type OpenedJournal } from "./journal.js";
export { replayJournal, stagedRecords, type Replayed } from "./replay.js";
export { RunState, type RowState, type RowOutcome, type UploadState } from "./run-state.js";
export { scanJournal, JournalAppender, type ScanResult } from "./journal-file.js";
export { encodeRecord, decodeLine } from "./codec.js";
export { JOURNAL_VERSION, parseRecord, type JournalRecord, type InputFile, type RunRecord } from "./records.js";
export { fingerprintFiles, runKey, normalizeTenant } from "./fingerprint.js";
export {
  acquireLock,
  readLock,
  judgeLock,
  isProcessAlive,
  LOCK_STALE_AFTER_MS,
  LOCK_HEARTBEAT_MS,
  type HeldLock,
  type LockHolder,
  type LockOptions,
  type LockVerdict,
  type FoundLock,
} from "./lock-file.js";
export { StateLockedError } from "./lock-error.js";
export { DEFAULT_STATE_DIR, stateLayout, ensureStateDir, journalFile, archiveJournal, listJournals, type StateLayout, type JournalEntry } from "./state-dir.js";
export { describeRuns, lockStatus, type RunStatus, type LockStatus } from "./status.js";
export { stagedCleanupCounts, deletableStaged, type StagedCleanupCounts } from "./cleanup-view.js";
export { openCleanupJournal, type CleanupJournalFile } from "./cleanup-journal.js";
