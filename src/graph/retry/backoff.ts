/** Exponential backoff with full jitter, for failures where the server gave no timing. */

export interface BackoffOptions {
  /** Ceiling of the first retry's wait. */
  readonly baseDelayMs: number;
  /** Ceiling of any backoff wait. */
  readonly maxDelayMs: number;
}

/**
 * Wait before retry number `retry` (1 = first retry): uniform in [0, min(max, base * 2^(retry-1))).
 * Full jitter spreads many clients' retries out instead of re-synchronising them (AWS architecture blog).
 */
export function backoffDelay(retry: number, options: BackoffOptions, random: () => number): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(random() * ceiling);
}
