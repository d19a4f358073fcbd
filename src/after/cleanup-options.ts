/** What the cleanup of staged records is given and reports, and its options validated once, at the edge. */
import { sleep as realSleep, type Sleep } from "../util/abort.js";
import type { AfterRuntime } from "./types.js";
import { DEFAULT_WRITE_LIMIT, WritePacer, type WriteLimit } from "./write-pacer.js";

/** How long deletes go on once the report is complete (at 100 writes per 20 s: about 3,000 records). */
export const DEFAULT_CLEANUP_MAX_TIME_MS = 10 * 60_000;
/** Share of the write budget kept free for submissions while the import runs. */
export const DEFAULT_RESERVE_SHARE = 0.2;

export interface CleanupProgress {
  readonly deleted: number;
  readonly remaining: number;
  /** Every outcome is reported: what is left is deleted until the time limit. */
  readonly closing: boolean;
  /** How long the rest takes at the write limit (a floor: the service allows no faster). */
  readonly etaMs: number;
}

export interface StagedCleanupOptions extends AfterRuntime {
  /** The service's write budget deletes are paced by; default 100 writes per 20 s (Intune's, per app per tenant). */
  readonly writeLimit?: WriteLimit;
  /** How long deletes go on once the report is complete: default 10 min; 0: not at all; Infinity: until done. */
  readonly maxTimeMs?: number;
  /** Share of the write budget left free for submissions while the import runs (default 0.2). */
  readonly reserveShare?: number;
  /** After each batch of deletes, and when the report is complete. */
  readonly onProgress?: (progress: CleanupProgress) => void;
  /** A pacer shared with other cleanups of the same app and tenant (one write budget); default a new one. */
  readonly pacer?: WritePacer;
}

/** The options with their defaults applied. */
export interface ResolvedCleanupOptions {
  readonly now: () => number;
  readonly sleep: Sleep;
  readonly pacer: WritePacer;
  /** Writes kept free for submissions while the import runs. */
  readonly reserve: number;
  readonly maxTimeMs: number;
}

/** Applies the defaults; a share or time limit out of range is a RangeError. */
export function resolveCleanupOptions(options: StagedCleanupOptions): ResolvedCleanupOptions {
  const now = options.now ?? Date.now;
  const pacer = options.pacer ?? new WritePacer(options.writeLimit ?? DEFAULT_WRITE_LIMIT, now());
  const share = options.reserveShare ?? DEFAULT_RESERVE_SHARE;
  if (!(share >= 0 && share < 1)) throw new RangeError(`reserveShare must be in [0, 1), got ${String(share)}`);
  const maxTimeMs = options.maxTimeMs ?? DEFAULT_CLEANUP_MAX_TIME_MS;
  if (!(maxTimeMs >= 0)) throw new RangeError(`maxTimeMs must be 0 or more, got ${String(options.maxTimeMs)}`);
  return { now, sleep: options.sleep ?? realSleep, pacer, reserve: Math.ceil(pacer.limit.writes * share), maxTimeMs };
}
