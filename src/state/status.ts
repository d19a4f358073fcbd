/** What `autopilot-import status` shows: the state directory's lock and each run's progress, from the journals. */
import type { ImportRowStatus } from "../pipeline/types.js";
import { stagedCleanupCounts } from "./cleanup-view.js";
import { judgeLock, readLock, type LockHolder } from "./lock-file.js";
import type { InputFile } from "./records.js";
import { replayJournal } from "./replay.js";
import { assertStateDir, listJournals, type StateLayout } from "./state-dir.js";
import { isTornHeader } from "./torn-header.js";

export interface LockStatus extends LockHolder {
  /** Last renewal of the lock (ISO 8601). */
  readonly heartbeatAt: string;
  /** The holder is gone (or silent too long): the next import takes the lock over. */
  readonly stale: boolean;
}

export interface RunStatus {
  readonly run: string;
  readonly journal: string;
  /** Started over with --fresh: kept for its staged records, never resumed. */
  readonly archived: boolean;
  readonly finished: boolean;
  readonly createdAt: string | null;
  readonly updatedAt: string | null;
  readonly files: ReadonlyArray<Pick<InputFile, "name" | "path" | "size" | "sha256">>;
  readonly tenant: string;
  readonly endpoint: string;
  /** Counts once the input was read to the end (null before). */
  readonly input: { readonly rows: number; readonly valid: number; readonly invalid: number; readonly duplicates: number } | null;
  /** Valid rows submitted to Graph (staged, or refused), and the uploads they went in. */
  readonly submitted: number;
  readonly uploads: { readonly planned: number; readonly unconfirmed: number };
  /** Valid rows with an outcome, by status. */
  readonly outcomes: Partial<Record<ImportRowStatus, number>>;
  /** Staged devices without an outcome yet. */
  readonly inFlight: number;
  /** The run's staged records: deleted by the cleanup, and left to delete (their outcome is journaled). */
  readonly cleanup: { readonly deleted: number; readonly remaining: number };
  readonly attempts: number;
  readonly lastAttempt: { readonly at: string; readonly pid: number; readonly host: string } | null;
  readonly finishedAt: string | null;
  readonly summary: Record<string, unknown> | null;
  /** Bytes of a torn last record (cut off when the run is resumed), and damaged lines skipped. */
  readonly journalDamage: { readonly tornBytes: number; readonly damagedLines: number };
  /** The file has no valid run record and is not one torn by a crash: not a journal (an import refuses it). */
  readonly notAJournal: boolean;
}

export function lockStatus(layout: StateLayout, now: () => number = Date.now): LockStatus | null {
  assertStateDir(layout);
  const found = readLock(layout.lock);
  if (!found) return null;
  const holder = found.holder ?? { pid: 0, host: "unknown", since: new Date(found.heartbeatAt).toISOString() };
  return { ...holder, heartbeatAt: new Date(found.heartbeatAt).toISOString(), stale: judgeLock(found, layout.lock, { now }).stale };
}

/** Every run in the state directory, those in progress first, then the newest. */
export async function describeRuns(layout: StateLayout): Promise<RunStatus[]> {
  const runs: RunStatus[] = [];
  for (const entry of listJournals(layout)) {
    const { state, scan } = await replayJournal(entry.file);
    const outcomes: Partial<Record<ImportRowStatus, number>> = {};
    let submitted = 0;
    let inFlight = 0;
    for (const row of state.rows.values()) {
      if (row.outcome) {
        outcomes[row.outcome.status] = (outcomes[row.outcome.status] ?? 0) + 1;
        submitted += 1;
      } else if (row.stagedId !== undefined) {
        inFlight += 1;
        submitted += 1;
      }
    }
    const header = state.header;
    const staged = stagedCleanupCounts(state);
    runs.push({
      run: entry.key,
      journal: entry.file,
      archived: entry.archived,
      finished: state.finished !== undefined,
      createdAt: header?.at ?? null,
      updatedAt: state.updatedAt ?? null,
      files: (header?.files ?? []).map(({ name, path, size, sha256 }) => ({ name, path, size, sha256 })),
      tenant: header?.tenant ?? "",
      endpoint: header?.endpoint ?? "",
      input: state.inputRead ?? null,
      submitted,
      uploads: { planned: state.uploads.size, unconfirmed: state.unconfirmedUploads().length },
      outcomes,
      inFlight,
      cleanup: { deleted: staged.deleted, remaining: staged.remaining },
      attempts: state.sessions,
      lastAttempt: state.lastSession ?? null,
      finishedAt: state.finished?.at ?? null,
      summary: state.finished?.summary ?? null,
      journalDamage: { tornBytes: scan.tornBytes, damagedLines: scan.damaged },
      notAJournal: !header && !isTornHeader(entry.file),
    });
  }
  const rank = (r: RunStatus): number => (r.archived ? 2 : r.finished ? 1 : 0);
  return runs.sort((a, b) => rank(a) - rank(b) || (b.updatedAt ?? "").localeCompare(a.updatedAt ?? ""));
}
