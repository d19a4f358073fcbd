/**
 * A run's staged records as the cleanup sees them, from its replayed journal: deleted, left to delete (their outcome
 * is journaled), or still waiting for an outcome (the import deletes those once it has it). A device that timed out
 * was still processing: its staged record is kept, since that is where Graph will say how it ended.
 */
import type { RunState } from "./run-state.js";

export interface StagedCleanupCounts {
  /** Staged records of the run deleted (or found gone) by the cleanup. */
  readonly deleted: number;
  /** Staged records with a journaled outcome, not deleted yet. */
  readonly remaining: number;
  /** Staged records still waiting for their outcome, or still processing at the deadline (not deletable). */
  readonly awaitingOutcome: number;
}

/** The staged id a row holds: from Graph's answer (or reconciliation), or from its outcome. */
function stagedIdOf(row: { readonly stagedId: string | undefined; readonly outcome: { readonly stagedId: string } | undefined }): string | undefined {
  return row.stagedId ?? (row.outcome?.stagedId || undefined);
}

/** Graph is done with the record: any journaled outcome except a timeout (still processing when we stopped looking). */
function isFinal(outcome: { readonly status: string } | undefined): boolean {
  return outcome !== undefined && outcome.status !== "timeout";
}

export function stagedCleanupCounts(state: RunState): StagedCleanupCounts {
  let deleted = 0;
  let remaining = 0;
  let awaitingOutcome = 0;
  for (const row of state.rows.values()) {
    const id = stagedIdOf(row);
    if (id === undefined) continue;
    if (state.deletedStaged.has(id)) deleted += 1;
    else if (isFinal(row.outcome)) remaining += 1;
    else awaitingOutcome += 1;
  }
  return { deleted, remaining, awaitingOutcome };
}

/** Ids of the run's staged records whose outcome is journaled and that are not deleted yet, in journal order. */
export function deletableStaged(state: RunState): string[] {
  const ids: string[] = [];
  for (const row of state.rows.values()) {
    const id = stagedIdOf(row);
    if (id !== undefined && isFinal(row.outcome) && !state.deletedStaged.has(id)) ids.push(id);
  }
  return ids;
}
