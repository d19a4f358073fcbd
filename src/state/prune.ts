/**
 * `status --prune`: forgets the runs that never submitted anything (no upload journaled, so nothing of theirs is in
 * Graph: a refused sign-in, a stop while reading, an input with no valid row). Their journals are deleted, not
 * archived: an archived journal is kept for its staged records, and these have none. A run with an upload is never
 * touched. Takes the state directory's lock, so no import is writing while it looks.
 */
import { existsSync, rmSync } from "node:fs";
import { syncDirectory } from "./journal-file.js";
import { acquireLock } from "./lock-file.js";
import { isTornHeader } from "./torn-header.js";
import { replayJournal } from "./replay.js";
import type { RunState } from "./run-state.js";
import { listJournals, type StateLayout } from "./state-dir.js";

export interface PrunedRun {
  readonly run: string;
  readonly journal: string;
  readonly archived: boolean;
  readonly finished: boolean;
  readonly createdAt: string | null;
  readonly files: readonly string[];
  /** Rows read before it stopped (0 when it stopped before reading). */
  readonly rowsRead: number;
}

/** Whether a run never submitted anything: no upload journaled and no staged record known. */
export function neverSubmitted(state: RunState): boolean {
  if (state.uploads.size > 0) return false;
  for (const row of state.rows.values()) if (row.stagedId !== undefined) return false;
  return true;
}

export interface PruneOptions {
  readonly forceUnlock?: boolean;
  readonly now?: () => number;
}

/** Deletes the journals of runs that never submitted anything; returns what it forgot. */
export async function pruneRuns(layout: StateLayout, options: PruneOptions = {}): Promise<PrunedRun[]> {
  if (!existsSync(layout.runs)) return [];
  const lock = acquireLock(layout.lock, { dir: layout.dir, force: options.forceUnlock, command: "status --prune", ...(options.now ? { now: options.now } : {}) });
  try {
    const pruned: PrunedRun[] = [];
    for (const entry of listJournals(layout)) {
      const { state } = await replayJournal(entry.file);
      // A file that is not a journal (garbage in its place) proves nothing: it is left for the user to look at.
      if (!neverSubmitted(state) || (!state.header && !isTornHeader(entry.file))) continue;
      rmSync(entry.file, { force: true });
      pruned.push({
        run: entry.key,
        journal: entry.file,
        archived: entry.archived,
        finished: state.finished !== undefined,
        createdAt: state.header?.at ?? null,
        files: (state.header?.files ?? []).map((file) => file.name),
        rowsRead: state.inputRead?.rows ?? state.rows.size,
      });
    }
    if (pruned.length > 0) syncDirectory(layout.runs);
    return pruned;
  } finally {
    lock.release();
  }
}
