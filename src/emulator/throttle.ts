/** A token bucket: `capacity` requests, refilled continuously over `windowMs` (emulated time). */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private capacity: number,
    private windowMs: number,
    now: number,
  ) {
    this.tokens = capacity;
    this.last = now;
  }

  /** Adopts new limits (scenario change) without refilling. */
  configure(capacity: number, windowMs: number): void {
    this.capacity = capacity;
    this.windowMs = windowMs;
    this.tokens = Math.min(this.tokens, capacity);
  }

  /** 0 when a token is available now; otherwise emulated ms until one is. */
  waitFor(now: number): number {
    this.refill(now);
    return this.tokens >= 1 ? 0 : ((1 - this.tokens) * this.windowMs) / this.capacity;
  }

  take(): void {
    this.tokens -= 1;
  }

  private refill(now: number): void {
    const elapsed = now - this.last;
    if (elapsed > 0) this.tokens = Math.min(this.capacity, this.tokens + (elapsed * this.capacity) / this.windowMs);
    this.last = now;
  }
}

export interface ThrottleLimits {
  readonly windowSeconds: number;
  readonly writesPerWindow: number;
  readonly requestsPerWindow: number;
}

export type ThrottleDecision = { readonly allowed: true } | { readonly allowed: false; readonly bucket: "writes" | "requests"; readonly waitMs: number };

/** Intune's limits: per app per tenant, one bucket for writes and one for every request. */
export class Throttler {
  private readonly buckets = new Map<string, { writes: TokenBucket; requests: TokenBucket }>();

  constructor(private limits: ThrottleLimits) {}

  configure(limits: ThrottleLimits): void {
    this.limits = limits;
    const windowMs = limits.windowSeconds * 1000;
    for (const pair of this.buckets.values()) {
      pair.writes.configure(limits.writesPerWindow, windowMs);
      pair.requests.configure(limits.requestsPerWindow, windowMs);
    }
  }

  /** Takes one token from each bucket the request counts against, or says how long to wait. */
  check(key: string, isWrite: boolean, now: number): ThrottleDecision {
    let pair = this.buckets.get(key);
    if (!pair) {
      const windowMs = this.limits.windowSeconds * 1000;
      pair = {
        writes: new TokenBucket(this.limits.writesPerWindow, windowMs, now),
        requests: new TokenBucket(this.limits.requestsPerWindow, windowMs, now),
      };
      this.buckets.set(key, pair);
    }
    const requestsWait = pair.requests.waitFor(now);
    const writesWait = isWrite ? pair.writes.waitFor(now) : 0;
    if (requestsWait > 0 || writesWait > 0) {
      return writesWait >= requestsWait
        ? { allowed: false, bucket: "writes", waitMs: writesWait }
        : { allowed: false, bucket: "requests", waitMs: requestsWait };
    }
    pair.requests.take();
    if (isWrite) pair.writes.take();
    return { allowed: true };
  }

  clear(): void {
    this.buckets.clear();
  }
}
