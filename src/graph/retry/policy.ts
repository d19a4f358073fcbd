import { UsageError } from "../../errors.js";

/** Retry limits and timings; every field has a default (see DEFAULT_RETRY_OPTIONS). */
export interface RetryOptions {
  /** Attempts per request for transient failures (5xx, connection errors, timeouts), including the first. */
  readonly maxAttempts: number;
  /** Retries per request answered with throttling (429, or 503 with Retry-After): a separate budget, since waiting is the fix. */
  readonly maxThrottleRetries: number;
  /** Ceiling of the first backoff wait. */
  readonly baseDelayMs: number;
  /** Ceiling of any backoff wait. */
  readonly maxDelayMs: number;
  /** Longest server-requested wait honoured; a longer Retry-After is cut to this. */
  readonly maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_OPTIONS: RetryOptions = {
  maxAttempts: 5,
  maxThrottleRetries: 20,
  baseDelayMs: 1_000,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 120_000,
};

// Validated once at the edge, so the retry loop never meets a negative or fractional limit.
export function normalizeRetryOptions(options: Partial<RetryOptions> = {}): RetryOptions {
  const merged = { ...DEFAULT_RETRY_OPTIONS, ...stripUndefined(options) };
  for (const [name, value] of Object.entries(merged)) {
    const min = name === "maxAttempts" ? 1 : 0;
    if (!Number.isSafeInteger(value) || value < min) {
      throw new UsageError(`retry option ${name} must be an integer >= ${min}, got ${String(value)}`);
    }
  }
  return merged;
}

/** Per-request overrides over a client's normalized options (e.g. `{ maxThrottleRetries: 0 }` for one call). */
export function mergeRetryOptions(base: RetryOptions, override: Partial<RetryOptions> | undefined): RetryOptions {
  return override === undefined ? base : normalizeRetryOptions({ ...base, ...stripUndefined(override) });
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
