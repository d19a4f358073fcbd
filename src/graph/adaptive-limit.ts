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
 * A semaphore whose limit adapts AIMD-style (as TCP's congestion window does): throttling halves it, and each run of
 * `limit` healthy answers in a row raises it by one, up to `max`. Slots already taken are never revoked; a smaller
 * limit just admits nobody until enough are released. No timers, no clock: it only reacts to reported events.
 */
export class AdaptiveLimiter {
  readonly max: number;
  readonly min: number;
  readonly #factor: number;
  #limit: number;
  #active = 0;
  #successes = 0;
  // Answers still due from requests that were in flight when the limit last dropped; their 429s are old news.
  #staleAnswers = 0;
  readonly #waiters: Array<() => void> = [];

  constructor(options: AdaptiveLimiterOptions) {
    const { max, min = 1, decreaseFactor = 0.5 } = options;
    if (!Number.isSafeInteger(max) || max < 1) throw new UsageError(`concurrency must be a positive integer, got ${String(max)}`);
    if (!Number.isSafeInteger(min) || min < 1 || min > max) throw new UsageError(`minimum concurrency must be 1..${max}, got ${String(min)}`);
    if (!(decreaseFactor > 0 && decreaseFactor < 1)) throw new UsageError(`decrease factor must be in (0, 1), got ${String(decreaseFactor)}`);
    this.max = max;
    this.min = min;
    this.#factor = decreaseFactor;
    this.#limit = max;
  }

  /** Current number of slots. */
  get limit(): number {
    return this.#limit;
  }

  /** Slots taken. */
  get active(): number {
    return this.#active;
  }

  /** Callers waiting for a slot. */
  get pending(): number {
    return this.#waiters.length;
  }

  /** Waits for a slot; the returned function releases it (idempotently). */
  async acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) throw abortError(signal);
    if (this.#active < this.#limit && this.#waiters.length === 0) {
      this.#active += 1;
      return this.#releaser();
    }
    await new Promise<void>((resolve, reject) => {
      const wake = (): void => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      };
      const onAbort = (): void => {
        const index = this.#waiters.indexOf(wake);
        if (index !== -1) this.#waiters.splice(index, 1);
        reject(abortError(signal!));
      };
      this.#waiters.push(wake);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
    return this.#releaser();
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
    const next = Math.max(this.min, Math.floor(this.#limit * this.#factor));
    // Requests already in flight were sent at the old rate: ignore their answers before reacting again.
    this.#staleAnswers = Math.max(0, this.#active - 1);
    this.#limit = next;
  };

  /** A healthy answer: after `limit` of them in a row, allow one more in flight. */
  onSuccess = (): void => {
    if (this.#staleAnswers > 0) this.#staleAnswers -= 1;
    if (this.#limit >= this.max) return;
    this.#successes += 1;
    if (this.#successes >= this.#limit) {
      this.#successes = 0;
      this.#limit += 1;
      this.#drain();
    }
  };

  #releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#active -= 1;
      this.#drain();
    };
  }

  #drain(): void {
    while (this.#active < this.#limit && this.#waiters.length > 0) {
      this.#active += 1;
      this.#waiters.shift()!();
    }
  }
}
