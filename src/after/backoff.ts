/** Bounded, backing-off re-checks: the waits between looks at something that will change on its own. */

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
