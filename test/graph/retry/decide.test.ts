import { describe, expect, it } from "vitest";
import { backoffDelay } from "../../../src/util/backoff.js";
import { decideRetry, type RetryInput } from "../../../src/graph/retry/decide.js";
import { DEFAULT_RETRY_OPTIONS, normalizeRetryOptions, type RetryOptions } from "../../../src/graph/retry/policy.js";
import { classifyTransportError } from "../../../src/graph/retry/transport-failure.js";
import { UsageError } from "../../../src/errors.js";

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const OPTIONS: RetryOptions = { maxAttempts: 4, maxThrottleRetries: 3, baseDelayMs: 1000, maxDelayMs: 8000, maxRetryAfterMs: 60_000 };
const half = (): number => 0.5;

function decide(input: Partial<RetryInput>, options = OPTIONS, random = half) {
  return decideRetry({ attempt: 1, throttled: 0, now: NOW, idempotent: true, tokenRefreshed: false, ...input }, options, random);
}

describe("decideRetry: throttling", () => {
  it("429 waits exactly Retry-After seconds, with no jitter", () => {
    expect(decide({ status: 429, headers: { "retry-after": "7" } }, OPTIONS, () => 0.99)).toEqual({
      kind: "retry",
      delayMs: 7000,
      cause: "throttled",
    });
  });

  it("429 honours an HTTP-date Retry-After relative to now", () => {
    expect(decide({ status: 429, headers: { "retry-after": "Thu, 15 Jan 2026 12:00:05 GMT" } })).toMatchObject({ delayMs: 5000 });
  });

  it("caps a long Retry-After at maxRetryAfterMs", () => {
    expect(decide({ status: 429, headers: { "retry-after": "3600" } })).toMatchObject({ kind: "retry", delayMs: 60_000 });
    expect(decide({ status: 429, headers: { "retry-after": "3600.5" } })).toMatchObject({ kind: "retry", delayMs: 60_000 });
  });

  it("honours a fractional Retry-After exactly, without jitter (rounded up to the millisecond)", () => {
    expect(decide({ status: 429, headers: { "retry-after": "2.128" } }, OPTIONS, () => 0.01)).toEqual({ kind: "retry", delayMs: 2128, cause: "throttled" });
    expect(decide({ status: 503, headers: { "retry-after": "0.25" } }, OPTIONS, () => 0.99)).toEqual({ kind: "retry", delayMs: 250, cause: "throttled" });
  });

  it("429 without Retry-After backs off with full jitter", () => {
    expect(decide({ status: 429, throttled: 2 }, OPTIONS, () => 0.5)).toEqual({ kind: "retry", delayMs: 2000, cause: "throttled" });
  });

  it("429 on a POST is retried: the service refused it", () => {
    expect(decide({ status: 429, idempotent: false, headers: { "retry-after": "1" } })).toMatchObject({ kind: "retry" });
  });

  it("503 with Retry-After counts as throttling and honours the header", () => {
    expect(decide({ status: 503, headers: { "retry-after": "3" }, idempotent: false })).toEqual({
      kind: "retry",
      delayMs: 3000,
      cause: "throttled",
    });
  });

  it("throttling has its own budget, separate from maxAttempts", () => {
    expect(decide({ status: 429, attempt: 10, throttled: 2 })).toMatchObject({ kind: "retry" });
    expect(decide({ status: 429, attempt: 4, throttled: 3 })).toEqual({ kind: "fail", reason: "exhausted" });
  });
});

describe("decideRetry: transient failures", () => {
  it("503 without Retry-After backs off exponentially", () => {
    expect(decide({ status: 503, attempt: 1 })).toEqual({ kind: "retry", delayMs: 500, cause: "transient" });
    expect(decide({ status: 503, attempt: 3 })).toEqual({ kind: "retry", delayMs: 2000, cause: "transient" });
  });

  it("504 honours Retry-After for idempotent requests", () => {
    expect(decide({ status: 504, headers: { "retry-after": "4" } })).toEqual({ kind: "retry", delayMs: 4000, cause: "transient" });
  });

  it("retries 500, 502, 504 and 408 on idempotent requests", () => {
    for (const status of [408, 500, 502, 504, 599]) expect(decide({ status }).kind, String(status)).toBe("retry");
  });

  it("never retries 501 and 505", () => {
    expect(decide({ status: 501 })).toEqual({ kind: "fail", reason: "status" });
    expect(decide({ status: 505 })).toEqual({ kind: "fail", reason: "status" });
  });

  it("does not retry client errors", () => {
    for (const status of [400, 403, 404, 409]) expect(decide({ status })).toEqual({ kind: "fail", reason: "status" });
  });

  it("a 5xx that may have processed a POST is an unknown outcome, not a retry", () => {
    for (const status of [500, 502, 504]) {
      expect(decide({ status, idempotent: false })).toEqual({ kind: "fail", reason: "outcomeUnknown" });
    }
    expect(decide({ status: 503, idempotent: false }).kind).toBe("retry");
    expect(decide({ status: 408, idempotent: false }).kind).toBe("retry");
  });

  it("stops after maxAttempts transient attempts (throttled ones not counted)", () => {
    expect(decide({ status: 500, attempt: 3 }).kind).toBe("retry");
    expect(decide({ status: 500, attempt: 4 })).toEqual({ kind: "fail", reason: "exhausted" });
    expect(decide({ status: 500, attempt: 6, throttled: 3 }).kind).toBe("retry");
  });

  it("caps the backoff at maxDelayMs", () => {
    const options = { ...OPTIONS, maxAttempts: 20 };
    expect(decide({ status: 500, attempt: 12 }, options, () => 0.999)).toMatchObject({ delayMs: 7992 });
  });
});

describe("decideRetry: connection errors", () => {
  it("retries a failure before sending for any method", () => {
    expect(decide({ error: { kind: "connect", code: "ECONNREFUSED" }, idempotent: false }).kind).toBe("retry");
  });

  it("retries a reset or timeout after sending only when idempotent", () => {
    expect(decide({ error: { kind: "sent", code: "ECONNRESET" } }).kind).toBe("retry");
    expect(decide({ error: { kind: "timeout" } }).kind).toBe("retry");
    expect(decide({ error: { kind: "sent", code: "ECONNRESET" }, idempotent: false })).toEqual({ kind: "fail", reason: "outcomeUnknown" });
    expect(decide({ error: { kind: "timeout" }, idempotent: false })).toEqual({ kind: "fail", reason: "outcomeUnknown" });
  });

  it("never retries a TLS failure", () => {
    expect(decide({ error: { kind: "tls", code: "DEPTH_ZERO_SELF_SIGNED_CERT" } })).toEqual({ kind: "fail", reason: "tls" });
  });

  it("gives up on connection errors after maxAttempts", () => {
    expect(decide({ error: { kind: "connect" }, attempt: 4 })).toEqual({ kind: "fail", reason: "exhausted" });
  });
});

describe("decideRetry: 401", () => {
  it("refreshes the token once, then fails", () => {
    expect(decide({ status: 401 })).toEqual({ kind: "refreshToken" });
    expect(decide({ status: 401, idempotent: false })).toEqual({ kind: "refreshToken" });
    expect(decide({ status: 401, tokenRefreshed: true })).toEqual({ kind: "fail", reason: "unauthorized" });
  });
});

describe("backoffDelay", () => {
  it("is uniform in [0, min(max, base * 2^(n-1)))", () => {
    const options = { baseDelayMs: 100, maxDelayMs: 1000 };
    expect(backoffDelay(1, options, () => 0)).toBe(0);
    expect(backoffDelay(1, options, () => 0.999)).toBe(99);
    expect(backoffDelay(4, options, () => 0.5)).toBe(400);
    expect(backoffDelay(10, options, () => 0.5)).toBe(500);
  });
});

describe("classifyTransportError", () => {
  const systemError = (code: string, syscall?: string) =>
    Object.assign(new Error(code), { code, ...(syscall ? { erroredSysCall: syscall } : {}) });

  it("knows what never left the machine", () => {
    expect(classifyTransportError(systemError("ECONNREFUSED", "connect"))).toEqual({ kind: "connect", code: "ECONNREFUSED" });
    expect(classifyTransportError(systemError("ENOTFOUND", "getaddrinfo"))).toEqual({ kind: "connect", code: "ENOTFOUND" });
  });

  it("treats resets and unknown errors as possibly sent", () => {
    expect(classifyTransportError(systemError("ECONNRESET", "read"))).toEqual({ kind: "sent", code: "ECONNRESET" });
    expect(classifyTransportError(new Error("socket hang up"))).toEqual({ kind: "sent" });
  });

  it("recognises certificate errors", () => {
    expect(classifyTransportError(systemError("SELF_SIGNED_CERT_IN_CHAIN")).kind).toBe("tls");
    expect(classifyTransportError(systemError("ERR_TLS_CERT_ALTNAME_INVALID")).kind).toBe("tls");
  });
});

describe("normalizeRetryOptions", () => {
  it("fills defaults and rejects nonsense", () => {
    expect(normalizeRetryOptions()).toEqual(DEFAULT_RETRY_OPTIONS);
    expect(normalizeRetryOptions({ maxAttempts: 2, baseDelayMs: undefined }).maxAttempts).toBe(2);
    expect(() => normalizeRetryOptions({ maxAttempts: 0 })).toThrow(UsageError);
    expect(() => normalizeRetryOptions({ baseDelayMs: -1 })).toThrow(UsageError);
    expect(() => normalizeRetryOptions({ maxDelayMs: 1.5 })).toThrow(UsageError);
  });
});
