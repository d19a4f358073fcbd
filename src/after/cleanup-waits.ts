/**
 * The waits of the cleanup loop: idle until something changes (a poke), or pause for a while (the pacer, a backoff).
 * Halting ends every wait, now and later; the run's signal ends pauses too. Neither touches a batch in flight.
 */
import { anySignal, type Sleep } from "../util/abort.js";

export class CleanupWaits {
  readonly #sleep: Sleep;
  readonly #runSignal: () => AbortSignal;
  readonly #halt = new AbortController();
  #wake: (() => void) | undefined;
  #pauseEnd: AbortController | undefined;

  /** `runSignal`: the run's signal as of each pause (the cleanup learns it when it starts). */
  constructor(sleep: Sleep, runSignal: () => AbortSignal) {
    this.#sleep = sleep;
    this.#runSignal = runSignal;
  }

  get halted(): boolean {
    return this.#halt.signal.aborted;
  }

  /** Ends every wait, now and later. */
  halt(): void {
    this.#halt.abort();
    this.poke();
  }

  /** Ends the current idle wait (none running: nothing to do, the loop decides again before it idles). */
  poke(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  /** Ends the current wait, idle or pause: the loop decides again (closing brought a deadline, say). */
  wakeAll(): void {
    this.#pauseEnd?.abort();
    this.poke();
  }

  /** Until poked; with `maxMs`, no longer than that. */
  async idle(maxMs?: number): Promise<void> {
    const woken = new Promise<void>((resolve) => {
      this.#wake = resolve;
    });
    if (maxMs === undefined) return woken;
    const timer = new AbortController();
    try {
      await Promise.race([woken, this.pause(maxMs, timer.signal)]);
    } finally {
      timer.abort();
    }
  }

  /** Sleeps `ms`, less when halted or when the run's signal or `extra` aborts. */
  async pause(ms: number, extra?: AbortSignal): Promise<void> {
    const end = new AbortController();
    this.#pauseEnd = end;
    const signal = anySignal(this.#halt.signal, this.#runSignal(), extra, end.signal);
    try {
      await this.#sleep(Math.max(0, ms), signal);
    } catch (error) {
      if (!signal.aborted) throw error;
    } finally {
      if (this.#pauseEnd === end) this.#pauseEnd = undefined;
    }
  }
}
