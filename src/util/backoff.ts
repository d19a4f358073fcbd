/** Waits between attempts: bounded growth for re-checks of something that changes on its own, and jittered backoff for retries. */

export interface BackoffPolicy {
  /** First wait. */
  readonly minMs: number;
  /** Longest wait. */
  readonly maxMs: number;
  /** Growth per check that changed nothing. */
  readonly factor: number;
}

/** The next wait: the minimum first, then growing by `factor` up to the maximum. */
export function nextBackoff(previousMs: number | undefined, policy: BackoffPolicy): number {
  if (previousMs === undefined) return policy.minMs;
  return Math.min(policy.maxMs, Math.max(policy.minMs, previousMs * policy.factor));
}

/**
 * How long to wait before the next check so that the last one falls exactly on the deadline (a late change is still
 * seen); undefined once the deadline has been reached and no further check is due.
 */
export function waitWithinDeadline(delayMs: number, now: number, deadline: number): number | undefined {
  if (now >= deadline) return undefined;
  return Math.min(delayMs, deadline - now);
}

/** Exponential backoff with full jitter, for failures where the server gave no timing. */
export interface JitteredBackoff {
  /** Ceiling of the first retry's wait. */
  readonly baseDelayMs: number;
  /** Ceiling of any backoff wait. */
  readonly maxDelayMs: number;
}

/**
 * Wait before retry number `retry` (1 = first retry): uniform in [0, min(max, base * 2^(retry-1))).
 * Full jitter spreads many clients' retries out instead of re-synchronising them (AWS architecture blog).
 */
export function backoffDelay(retry: number, options: JitteredBackoff, random: () => number): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(random() * ceiling);
}
