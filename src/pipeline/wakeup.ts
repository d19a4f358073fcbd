/** How a loop with nothing to do waits for new work without polling a flag. */
import { abortError } from "../util/abort.js";

export class Wakeup {
  #wake: (() => void) | undefined;

  /** Resolves at the next `wake()`, or rejects when `signal` aborts. */
  wait(signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const done = (): void => {
        this.#wake = undefined;
        signal.removeEventListener("abort", onAbort);
        resolve();
      };
      const onAbort = (): void => {
        this.#wake = undefined;
        reject(abortError(signal));
      };
      this.#wake = done;
      signal.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Ends the current wait; nothing when none is running (the loop checks for work before it waits). */
  wake(): void {
    this.#wake?.();
  }
}
