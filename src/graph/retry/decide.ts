import { backoffDelay } from "../../util/backoff.js";
import type { RetryOptions } from "./policy.js";
import { serverRetryDelay } from "./retry-after.js";
import type { TransportFailure } from "./transport-failure.js";

/** Everything the retry decision looks at; nothing else (no clock, no I/O). */
export interface RetryInput {
  /** 1-based number of the attempt that just failed. */
  readonly attempt: number;
  /** How many earlier attempts were throttled and retried (they do not use up `maxAttempts`). */
  readonly throttled: number;
  /** HTTP status, when a response arrived. */
  readonly status?: number;
  /** Network-level failure, when no usable response arrived. */
  readonly error?: TransportFailure;
  /** Lower-cased response headers. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Epoch milliseconds, for HTTP-date Retry-After values. */
  readonly now: number;
  /** Whether resending is safe when the outcome is unknown (false for POST unless the caller says so). */
  readonly idempotent: boolean;
  /** Whether this request already refreshed its token once after a 401. */
  readonly tokenRefreshed: boolean;
}

export type RetryDecision =
  | { readonly kind: "retry"; readonly delayMs: number; readonly cause: "throttled" | "transient" }
  | { readonly kind: "refreshToken" }
  | {
      readonly kind: "fail";
      /**
       * status: not a retryable answer; exhausted: retries used up; outcomeUnknown: a non-idempotent request may
       * have been processed; tls: the server's certificate was rejected; unauthorized: 401 even with a fresh token.
       */
      readonly reason: "status" | "exhausted" | "outcomeUnknown" | "tls" | "unauthorized";
    };

// The service refused the request before doing anything: safe to resend even a POST.
const THROTTLE_STATUSES = new Set([429, 503]);
// 501 Not Implemented and 505 HTTP Version Not Supported will not change on a retry.
const PERMANENT_5XX = new Set([501, 505]);

function isTransientStatus(status: number): boolean {
  return status === 408 || (status >= 500 && status <= 599 && !PERMANENT_5XX.has(status));
}

/**
 * Decides what to do after a failed attempt. Pure: the same input always gives the same answer, so every rule is
 * unit-tested without a server or a clock; one small loop in the client does the waiting and resending.
 */
export function decideRetry(input: RetryInput, options: RetryOptions, random: () => number): RetryDecision {
  const transientAttempts = input.attempt - input.throttled;
  const transientRetry = (): RetryDecision =>
    transientAttempts < options.maxAttempts
      ? { kind: "retry", delayMs: backoffDelay(transientAttempts, options, random), cause: "transient" }
      : { kind: "fail", reason: "exhausted" };

  if (input.error) {
    switch (input.error.kind) {
      case "tls":
        return { kind: "fail", reason: "tls" };
      case "connect":
        return transientRetry();
      case "sent":
      case "timeout":
        return input.idempotent ? transientRetry() : { kind: "fail", reason: "outcomeUnknown" };
    }
  }

  const status = input.status;
  if (status === undefined) return { kind: "fail", reason: "status" };
  if (status === 401) return input.tokenRefreshed ? { kind: "fail", reason: "unauthorized" } : { kind: "refreshToken" };

  const serverDelay = input.headers ? serverRetryDelay(input.headers, input.now) : undefined;
  if (status === 429 || (THROTTLE_STATUSES.has(status) && serverDelay !== undefined)) {
    if (input.throttled >= options.maxThrottleRetries) return { kind: "fail", reason: "exhausted" };
    // Server timing is honoured exactly (no jitter), only capped; without it, back off like any transient failure.
    const delayMs =
      serverDelay !== undefined
        ? Math.min(serverDelay, options.maxRetryAfterMs)
        : backoffDelay(input.throttled + 1, options, random);
    return { kind: "retry", delayMs, cause: "throttled" };
  }

  if (!isTransientStatus(status)) return { kind: "fail", reason: "status" };
  // 408 and 503 say the request was not processed; a 500/502/504 to a POST may have been.
  if (!input.idempotent && status !== 408 && status !== 503) return { kind: "fail", reason: "outcomeUnknown" };
  if (serverDelay !== undefined) {
    return transientAttempts < options.maxAttempts
      ? { kind: "retry", delayMs: Math.min(serverDelay, options.maxRetryAfterMs), cause: "transient" }
      : { kind: "fail", reason: "exhausted" };
  }
  return transientRetry();
}
