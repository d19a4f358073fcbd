/**
 * Staged records earlier runs left in a state directory (a short interactive cleanup, a signal, --no-cleanup): the
 * next import there, and the inbox job after its files, delete them within what is left of their own cleanup time,
 * under the lock they already hold. Only runs of the same tenant and Graph endpoint are touched (cleanupRuns).
 */
import { cleanupRuns, type CleanupRunsResult } from "../after/cleanup-runs.js";
import type { CleanupProgress } from "../after/cleanup.js";
import type { AfterRuntime } from "../after/types.js";
import type { WritePacer, WriteLimit } from "../after/write-pacer.js";
import type { GraphClient } from "../graph/client.js";
import type { RunTarget } from "./target.js";

export interface LeftoversOptions extends AfterRuntime {
  readonly stateDir: string;
  readonly client: GraphClient;
  readonly target: RunTarget;
  /** The caller's own journal (open, and its cleanup is its own business). */
  readonly ownJournal?: string;
  /** Time left for deletes; nothing is done at 0 or less. */
  readonly maxTimeMs: number;
  readonly writeLimit: WriteLimit;
  readonly pacer?: WritePacer;
  readonly onProgress?: (run: string, progress: CleanupProgress) => void;
}

/** Deletes what earlier runs left, within the time given; undefined when there was nothing to delete (or no time). */
export async function cleanupLeftovers(options: LeftoversOptions): Promise<CleanupRunsResult | undefined> {
  if (!(options.maxTimeMs > 0) || options.signal?.aborted) return undefined;
  const { target, ownJournal, ...rest } = options;
  const result = await cleanupRuns({ ...rest, tenant: target.tenant, endpoint: target.endpoint, lockHeld: true, excludeJournals: ownJournal ? [ownJournal] : [] });
  const touched = result.runs.filter((run) => run.skipped === null && (run.deleted > 0 || run.remaining > 0));
  if (touched.length === 0) return undefined;
  options.logger?.info({ deleted: result.deleted, remaining: result.remaining, runs: touched.length }, "staged records left by earlier runs");
  return { ...result, runs: touched, remaining: touched.reduce((sum, run) => sum + run.remaining, 0) };
}
