/** Inbox mode: a folder drained by a scheduled job (`autopilot-import run --inbox DIR`). */
export { runInboxJob } from "./job.js";
export { inboxLayout, INBOX_STATE_DIR, type InboxLayout } from "./layout.js";
export { scanInbox, skipByName, byAge, INBOX_EXTENSIONS, PARTIAL_SUFFIXES, type InboxFile, type InboxScan, type SkippedFile, type SkipReason } from "./scan.js";
export { settleFiles, settleVerdict, stillSettled, DEFAULT_SETTLE_MS, type Sample, type SettleOptions } from "./settle.js";
export { companionNames, freeName, type Companions, type InboxReportFormat } from "./names.js";
export { rowsNotImported } from "./finish-file.js";
export { INBOX_LOCK_FILE } from "./lock.js";
export { SYNC_DUE_FILE, readSyncDue, type SyncDue } from "./job-sync.js";
export { InboxError } from "./inbox-error.js";
export type { RunTarget } from "../run/target.js";
export type { InboxEvents, InboxFileResult, InboxJobOptions, InboxJobResult } from "./types.js";
