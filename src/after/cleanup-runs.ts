/**
 * The cleanup of a state directory (`autopilot-import cleanup`): for every run journaled there (or one), deletes the
 * staged records whose outcome is journaled and that are not deleted yet, journaling each batch in that run's journal,
 * under the state directory's lock (no import works there meanwhile). Only runs journaled for the tenant and Graph
 * endpoint the client signs in to are touched: elsewhere their ids mean nothing, and a 404 would pass for deleted.
 */
import { UsageError } from "../errors.js";
import type { GraphClient } from "../graph/client.js";
import type { CleanupSummary } from "../pipeline/types.js";
import { openCleanupJournal } from "../state/cleanup-journal.js";
import { deletableStaged, stagedCleanupCounts } from "../state/cleanup-view.js";
import { normalizeTenant } from "../state/fingerprint.js";
import { acquireLock } from "../state/lock-file.js";
import { replayJournal } from "../state/replay.js";
import { listJournals, stateLayout } from "../state/state-dir.js";
import { StagedCleanup, type CleanupProgress } from "./cleanup.js";
import type { AfterRuntime } from "./types.js";
import { DEFAULT_WRITE_LIMIT, WritePacer, type WriteLimit } from "./write-pacer.js";

export interface CleanupRunsOptions extends AfterRuntime {
  readonly stateDir: string;
  readonly client: GraphClient;
  /** The tenant the client signs in to, as given (case does not matter; empty: the credential's own). */
  readonly tenant: string | undefined;
  /** The Graph root the client talks to. */
  readonly endpoint: string;
  /** Only this run (its key, as `status` shows it). */
  readonly run?: string;
  /** Stop after this long; default: until everything is deleted. */
  readonly maxTimeMs?: number;
  readonly writeLimit?: WriteLimit;
  /** The write budget shared with the caller's own deletes (default: a new one at writeLimit). */
  readonly pacer?: WritePacer;
  /** Take the state directory's lock whoever holds it (--force-unlock). */
  readonly forceUnlock?: boolean;
  /** The caller holds the state directory's lock already (an import or an inbox job picking up earlier leftovers). */
  readonly lockHeld?: boolean;
  /** Journals left alone (the caller's own run, whose journal it has open). */
  readonly excludeJournals?: readonly string[];
  /** Told before a run's deletes start (with what is to delete). */
  readonly onRun?: (run: RunCleanup) => void;
  readonly onProgress?: (run: string, progress: CleanupProgress) => void;
}

export interface RunCleanup {
  readonly run: string;
  readonly journal: string;
  readonly archived: boolean;
  readonly tenant: string;
  readonly endpoint: string;
  /** Not cleaned up: journaled for another tenant or Graph endpoint than the sign-in's. */
  readonly skipped: "otherTenant" | null;
  /** Deleted (404s included) by this cleanup, and before it. */
  readonly deleted: number;
  readonly deletedBefore: number;
  /** Of `deleted`, those that were already gone. */
  readonly alreadyGone: number;
  /** Left to delete (their outcome is journaled). */
  readonly remaining: number;
  /** Staged records still waiting for their outcome: the import, when resumed, deletes them. */
  readonly awaitingOutcome: number;
}

export interface CleanupRunsResult {
  readonly stateDir: string;
  readonly runs: RunCleanup[];
  readonly deleted: number;
  /** Left in every run, those of runs skipped for another tenant included. */
  readonly remaining: number;
  /** What cut the cleanup short, if anything (records may also remain because the service refused them, or a run was skipped). */
  readonly stoppedBy: StoppedBy;
  /** The error that stopped it (`stoppedBy` "error"). */
  readonly failure?: unknown;
}

type StoppedBy = "timeLimit" | "interrupted" | "error" | null;

const sameEndpoint = (a: string, b: string): boolean => a.replace(/\/+$/, "").toLowerCase() === b.replace(/\/+$/, "").toLowerCase();

export async function cleanupRuns(options: CleanupRunsOptions): Promise<CleanupRunsResult> {
  const now = options.now ?? Date.now;
  const layout = stateLayout(options.stateDir);
  const entries = listJournals(layout).filter((entry) => (options.run === undefined || entry.key === options.run) && !options.excludeJournals?.includes(entry.file));
  if (options.run !== undefined && entries.length === 0) throw new UsageError(`there is no run ${options.run} in ${layout.dir} (see autopilot-import status)`);
  if (entries.length === 0) return { stateDir: layout.dir, runs: [], deleted: 0, remaining: 0, stoppedBy: null };
  const lock = options.lockHeld ? { release: () => undefined } : acquireLock(layout.lock, { dir: layout.dir, force: options.forceUnlock, command: "cleanup", now });
  const deadline = options.maxTimeMs === undefined ? undefined : now() + options.maxTimeMs;
  // One write budget for every run: they are the same app in the same tenant.
  const pacer = options.pacer ?? new WritePacer(options.writeLimit ?? DEFAULT_WRITE_LIMIT, now());
  const tenant = normalizeTenant(options.tenant);
  const runs: RunCleanup[] = [];
  let stoppedBy: StoppedBy = null;
  let failure: unknown;
  try {
    for (const entry of entries) {
      const replayed = await replayJournal(entry.file);
      const header = replayed.state.header;
      const counts = stagedCleanupCounts(replayed.state);
      const base = {
        run: entry.key,
        journal: entry.file,
        archived: entry.archived,
        tenant: header?.tenant ?? "",
        endpoint: header?.endpoint ?? "",
        deletedBefore: counts.deleted,
        awaitingOutcome: counts.awaitingOutcome,
      };
      const ids = deletableStaged(replayed.state);
      const ours = header !== undefined && header.tenant === tenant && sameEndpoint(header.endpoint, options.endpoint);
      const left = deadline === undefined ? Number.POSITIVE_INFINITY : deadline - now();
      if (!ours || ids.length === 0 || stoppedBy !== null || left <= 0) {
        if (ids.length > 0 && ours && stoppedBy === null) stoppedBy = "timeLimit";
        runs.push({ ...base, skipped: ours ? null : "otherTenant", deleted: 0, alreadyGone: 0, remaining: ids.length });
        continue;
      }
      options.onRun?.({ ...base, skipped: null, deleted: 0, alreadyGone: 0, remaining: ids.length });
      const journal = openCleanupJournal(entry.file, replayed, now);
      let summary: CleanupSummary;
      const cleanup = new StagedCleanup(options.client, {
        ...options,
        pacer,
        maxTimeMs: left,
        onProgress: options.onProgress ? (progress) => options.onProgress?.(entry.key, progress) : undefined,
      });
      try {
        const signal = options.signal ?? new AbortController().signal;
        cleanup.start({ journal, signal });
        cleanup.add(ids);
        summary = await cleanup.finish(true, signal);
      } finally {
        journal.close();
      }
      runs.push({ ...base, skipped: null, deleted: summary.deleted, alreadyGone: cleanup.alreadyGone, remaining: summary.remaining });
      // Refusals are per record: the next run may still go. Anything else stops every run.
      if (summary.stoppedBy !== null && summary.stoppedBy !== "refused") {
        stoppedBy = summary.stoppedBy;
        failure = cleanup.failure;
      }
    }
  } finally {
    lock.release();
  }
  const remaining = runs.reduce((sum, r) => sum + r.remaining, 0);
  const deleted = runs.reduce((sum, r) => sum + r.deleted, 0);
  return { stateDir: layout.dir, runs, deleted, remaining, stoppedBy, ...(failure !== undefined ? { failure } : {}) };
}
