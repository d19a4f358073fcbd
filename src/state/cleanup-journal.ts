/**
 * A run's journal opened for its cleanup only (`autopilot-import cleanup`): replayed, cut back to its last intact
 * record, and appended `staged-deleted` records (durable) without a session record, since no import attempt is made.
 */
import type { CleanupJournal } from "../pipeline/types.js";
import { JournalAppender, type ScanResult } from "./journal-file.js";
import type { JournalRecord } from "./records.js";
import type { RunState } from "./run-state.js";

export interface CleanupJournalFile extends CleanupJournal {
  readonly state: RunState;
  close(): void;
}

/** Opens a journal replayed with replayJournal for appending deletions (a torn tail is cut off first, as an import would). */
export function openCleanupJournal(file: string, replayed: { readonly state: RunState; readonly scan: ScanResult }, now: () => number = Date.now): CleanupJournalFile {
  const { state, scan } = replayed;
  const appender = JournalAppender.reopen(file, scan.intactBytes, scan.tornBytes > 0);
  return {
    state,
    stagedDeleted(ids) {
      if (ids.length === 0) return;
      const record: JournalRecord = { type: "staged-deleted", at: new Date(now()).toISOString(), ids: [...ids] };
      appender.append(record, true);
      state.apply(record, false);
    },
    isStagedDeleted: (id) => state.deletedStaged.has(id),
    flush: () => appender.sync(),
    close: () => appender.close(),
  };
}
