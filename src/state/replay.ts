/** Reads a journal back into a RunState (for resuming, `status`, and the cleanup of staged records). */
import { scanJournal, type ScanResult } from "./journal-file.js";
import { RunState } from "./run-state.js";

export interface Replayed {
  readonly state: RunState;
  readonly scan: ScanResult;
}

export async function replayJournal(file: string): Promise<Replayed> {
  const state = new RunState();
  const scan = await scanJournal(file, (record) => state.apply(record));
  return { state, scan };
}

/** The staged records this run created (by any of its processes), and whether each has been deleted. */
export function* stagedRecords(state: RunState): Iterable<{ readonly stagedId: string; readonly serialNumber: string; readonly deleted: boolean }> {
  for (const row of state.rows.values()) {
    const stagedId = row.stagedId ?? (row.outcome?.stagedId || undefined);
    if (stagedId) yield { stagedId, serialNumber: row.serial, deleted: state.deletedStaged.has(stagedId) };
  }
}
