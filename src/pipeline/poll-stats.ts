/** What the poller counts for the run summary (logged with it as `poller`). */
import type { PollStrategy } from "./poll-strategy.js";

export interface PollerStats {
  rounds: number;
  /** Rounds that refreshed only the uploads due (the oldest one, before any device finished). */
  partialRounds: number;
  /** Rounds lost to transient failures (retried later). */
  failedRounds: number;
  requests: number;
  byStrategy: Record<PollStrategy, number>;
  /** The processing time learned so far (ms, see poll-estimates.ts), the basis of due times. */
  processingMs: number | null;
}

export function newPollerStats(): PollerStats {
  return { rounds: 0, partialRounds: 0, failedRounds: 0, requests: 0, byStrategy: { batch: 0, list: 0, byUpload: 0 }, processingMs: null };
}

/** Counts a round that is about to send its requests (`full`: it refreshes everything in flight). */
export function countRound(stats: PollerStats, strategy: PollStrategy, full: boolean): void {
  stats.rounds += 1;
  if (!full) stats.partialRounds += 1;
  stats.byStrategy[strategy] += 1;
}
