import pLimit, { type LimitFunction } from "p-limit";
import { UsageError } from "../errors.js";
import { abortError } from "../util/abort.js";

export interface AdaptiveLimiterOptions {
  /** Upper bound and starting value (the --concurrency setting). */
  readonly max: number;
  /** Lower bound, default 1. */
  readonly min?: number;
  /** Multiplier applied on throttling, in (0, 1); default 0.5. */
  readonly decreaseFactor?: number;
}

/**
 * Upload slots whose number adapts AIMD-style (as TCP's congestion window does): throttling halves it, and each run of
 * `limit` healthy answers in a row raises it by one, up to `max`. p-limit does the queueing and admission; this class
 * only moves its `concurrency`. Slots already taken are never revoked: a smaller limit just admits nobody until enough
 * are released. No timers, no clock: it only reacts to reported events.
 */
export class AdaptiveLimiter {
  readonly max: number;
  readonly min: number;
  readonly #factor: number;
  readonly #slots: LimitFunction;
  // Slots handed to callers and not yet released (p-limit's own count lags a release by a few microtasks).
  #held = 0;
  #waiting = 0;
  #successes = 0;
  // Answers still due from requests that were in flight when the limit last dropped; their 429s are old news.
  #staleAnswers = 0;

  constructor(options: AdaptiveLimiterOptions) {
    const { max, min = 1, decreaseFactor = 0.5 } = options;
    if (!Number.isSafeInteger(max) || max < 1) throw new UsageError(`concurrency must be a positive integer, got ${String(max)}`);
    if (!Number.isSafeInteger(min) || min < 1 || min > max) throw new UsageError(`minimum concurrency must be 1..${max}, got ${String(min)}`);
    if (!(decreaseFactor > 0 && decreaseFactor < 1)) throw new UsageError(`decrease factor must be in (0, 1), got ${String(decreaseFactor)}`);
    this.max = max;
    this.min = min;
    this.#factor = decreaseFactor;
    this.#slots = pLimit(max);
  }

  /** Current number of slots. */
  get limit(): number {
    return this.#slots.concurrency;
  }

  /** Slots taken. */
  get active(): number {
    return this.#held;
  }

  /** Callers waiting for a slot. */
  get pending(): number {
    return this.#waiting;
  }

  /**
   * Waits for a slot; the returned function releases it (idempotently). The slot is a p-limit task that lasts until
   * released, so the caller can hold it across its own awaits (the dispatcher's backpressure needs exactly that).
   */
  async acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) throw abortError(signal);
    this.#waiting += 1;
    return new Promise<() => void>((resolve, reject) => {
      let waiting = true;
      const onAbort = (): void => {
        waiting = false;
        this.#waiting -= 1;
        reject(abortError(signal!));
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      void this.#slots(() => {
        // p-limit cannot take a task back out of its queue: an aborted caller's turn ends as soon as it comes.
        if (!waiting) return undefined;
        waiting = false;
        signal?.removeEventListener("abort", onAbort);
        this.#waiting -= 1;
        this.#held += 1;
        return new Promise<void>((done) => resolve(this.#releaser(done)));
      });
    });
  }

  /** Runs `task` in a slot. */
  async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const release = await this.acquire(signal);
    try {
      return await task();
    } finally {
      release();
    }
  }

  /** The service throttled us: halve the limit (once per window of in-flight requests). */
  onThrottle = (): void => {
    this.#successes = 0;
    if (this.#staleAnswers > 0) {
      this.#staleAnswers -= 1;
      return;
    }
    // Requests already in flight were sent at the old rate: ignore their answers before reacting again.
    this.#staleAnswers = Math.max(0, this.#held - 1);
    this.#slots.concurrency = Math.max(this.min, Math.floor(this.limit * this.#factor));
  };

  /** A healthy answer: after `limit` of them in a row, allow one more in flight (p-limit admits the next waiter). */
  onSuccess = (): void => {
    if (this.#staleAnswers > 0) this.#staleAnswers -= 1;
    if (this.limit >= this.max) return;
    this.#successes += 1;
    if (this.#successes >= this.limit) {
      this.#successes = 0;
      this.#slots.concurrency = this.limit + 1;
    }
  };

  #releaser(done: () => void): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#held -= 1;
      done();
    };
  }
}
