/**
 * Our side's model of the service's write budget (Intune: 100 writes per 20 s per app per tenant), so deletes spend
 * only what submissions will not need: a token bucket of `writes` tokens refilled continuously over `windowMs`. Every
 * write the run sends is spent from it (submissions without waiting); deletes wait until a batch fits while
 * `reserve` tokens stay free. A 429 means the model was too generous (another writer shares the budget): the bucket
 * is emptied, nothing goes before Retry-After, and the assumed rate and batch size shrink, then grow back
 * (AIMD) with each batch that is not throttled. Pure: time is passed in.
 */
import { UsageError } from "../errors.js";

export interface WriteLimit {
  /** Writes allowed per window. */
  readonly writes: number;
  readonly windowMs: number;
}

/** Intune's documented limit for writes, per app per tenant. */
export const DEFAULT_WRITE_LIMIT: WriteLimit = { writes: 100, windowMs: 20_000 };

/** Graph's limit of requests per JSON batch: each DELETE in it is one write. */
export const MAX_DELETE_BATCH = 20;

/** The assumed rate never drops below this share of the nominal one (the service still refills, just slower for us). */
const MIN_RATE_SHARE = 1 / 20;
/** Each clean batch gives back this share of the nominal rate. */
const RATE_STEP_SHARE = 1 / 10;

/** Validates a write limit once, at the edge. */
export function checkWriteLimit(limit: WriteLimit): WriteLimit {
  if (!Number.isSafeInteger(limit.writes) || limit.writes < 1) throw new UsageError(`the write limit must be a positive number of writes, got ${String(limit.writes)}`);
  if (!Number.isFinite(limit.windowMs) || limit.windowMs <= 0) throw new UsageError(`the write limit's window must be a positive duration, got ${String(limit.windowMs)}`);
  return limit;
}

/** How long `count` deletes take at the write limit (the floor: the service allows no faster). */
export function deleteDurationMs(count: number, limit: WriteLimit = DEFAULT_WRITE_LIMIT): number {
  return Math.ceil((count * limit.windowMs) / limit.writes);
}

export class WritePacer {
  readonly limit: WriteLimit;
  readonly #nominal: number;
  #rate: number;
  #tokens: number;
  #last: number;
  #blockedUntil = Number.NEGATIVE_INFINITY;
  #batchCap = MAX_DELETE_BATCH;

  constructor(limit: WriteLimit, now: number) {
    this.limit = checkWriteLimit(limit);
    this.#nominal = limit.writes / limit.windowMs;
    this.#rate = this.#nominal;
    // The service's bucket is full when nobody wrote for a window: assume so at the start.
    this.#tokens = limit.writes;
    this.#last = now;
  }

  /** Writes sent (any: submissions never wait for the pacer; deletes call it just before sending). */
  spend(count: number, now: number): void {
    this.#refill(now);
    this.#tokens -= count;
  }

  /**
   * Deletes the next batch carries: what the bucket affords now above `reserve`, so deletes trickle between
   * submissions instead of waiting for a full batch; at least a twentieth of the limit per batch (one batch a
   * second at 100 per 20 s: the request budget is ten times the write budget), at most `waiting`, the current cap,
   * and what the bucket can ever hold above the reserve.
   */
  batchSize(waiting: number, reserve: number, now: number): number {
    const fits = Math.max(1, Math.floor(this.limit.writes - reserve));
    const most = Math.max(0, Math.min(waiting, this.#batchCap, fits));
    const least = Math.min(most, Math.max(1, Math.round(this.limit.writes / MAX_DELETE_BATCH)));
    return Math.max(least, Math.min(most, Math.floor(this.tokens(now) - reserve)));
  }

  /** Milliseconds until `count` deletes may go with `reserve` tokens left over; 0: now. */
  waitMs(count: number, reserve: number, now: number): number {
    this.#refill(now);
    const blocked = this.#blockedUntil - now;
    const need = count + Math.min(reserve, Math.max(0, this.limit.writes - count)) - this.#tokens;
    const refill = need <= 0 ? 0 : Math.ceil(need / this.#rate);
    return Math.max(0, blocked, refill);
  }

  /** A delete batch was throttled after `succeeded` of its deletes went through: back off and shrink. */
  onThrottled(retryAfterMs: number | undefined, succeeded: number, now: number): void {
    this.#refill(now);
    this.#tokens = Math.min(this.#tokens, 0);
    this.#rate = Math.max(this.#nominal * MIN_RATE_SHARE, this.#rate / 2);
    this.#batchCap = Math.max(1, succeeded > 0 ? Math.min(this.#batchCap, succeeded) : Math.ceil(this.#batchCap / 2));
    // Without Retry-After: as long as one batch takes to refill at the reduced rate.
    this.block(retryAfterMs ?? Math.ceil(this.#batchCap / this.#rate), now);
  }

  /** A delete batch went through without throttling: grow back towards the nominal rate and a full batch. */
  onClean(): void {
    this.#rate = Math.min(this.#nominal, this.#rate + this.#nominal * RATE_STEP_SHARE);
    this.#batchCap = Math.min(MAX_DELETE_BATCH, this.#batchCap + 2);
  }

  /** Nothing goes for `ms` (Retry-After, or a transient failure's backoff). */
  block(ms: number, now: number): void {
    this.#blockedUntil = Math.max(this.#blockedUntil, now + Math.max(0, ms));
  }

  /** The assumed rate as a share of the nominal one (1: full speed). */
  get rateShare(): number {
    return this.#rate / this.#nominal;
  }

  get batchCap(): number {
    return this.#batchCap;
  }

  /** Tokens now (negative: submissions overspent the model; deletes wait until it refills). */
  tokens(now: number): number {
    this.#refill(now);
    return this.#tokens;
  }

  #refill(now: number): void {
    const elapsed = now - this.#last;
    if (elapsed > 0) this.#tokens = Math.min(this.limit.writes, this.#tokens + elapsed * this.#rate);
    this.#last = Math.max(this.#last, now);
  }
}
