import { InterruptedError } from "../errors.js";

/** The error to throw when `signal` is aborted: its reason if that is an Error, a typed interruption for signals. */
export function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  // The CLI aborts its run controller with the signal name.
  if (reason === "SIGINT" || reason === "SIGTERM") return new InterruptedError(reason);
  return new DOMException("The operation was aborted", "AbortError");
}

export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw abortError(signal);
}

/** Combines optional signals; the result aborts when any does. */
export function anySignal(...signals: ReadonlyArray<AbortSignal | undefined>): AbortSignal {
  const present = signals.filter((s): s is AbortSignal => s !== undefined);
  if (present.length === 1) return present[0]!;
  return present.length === 0 ? new AbortController().signal : AbortSignal.any(present);
}

export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

/** Waits `ms`, or rejects as soon as `signal` aborts (backoff waits listen to the run signal only). */
export const sleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal.aborted) {
      reject(abortError(signal));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortError(signal));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });

/**
 * The items of `source` until `signal` aborts, then its abort error, even while the source is waiting for its next
 * item (a pipe with a slow writer): the consumer is never held by a source that has nothing to say.
 */
export async function* untilAborted<T>(source: AsyncIterable<T>, signal: AbortSignal): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  // One listener rejects the wait in progress. Racing each item against one long-lived "aborted" promise would leave a
  // reaction on it per item, holding every item ever read (hashes and all) until the signal aborts.
  let rejectWait: ((error: Error) => void) | undefined;
  const onAbort = (): void => rejectWait?.(abortError(signal));
  signal.addEventListener("abort", onAbort, { once: true });
  let finished = false;
  try {
    for (;;) {
      if (signal.aborted) throw abortError(signal);
      const next = await new Promise<IteratorResult<T>>((resolve, reject) => {
        rejectWait = reject;
        iterator.next().then(resolve, reject);
      });
      rejectWait = undefined;
      if (next.done) {
        finished = true;
        return;
      }
      yield next.value;
    }
  } finally {
    rejectWait = undefined;
    signal.removeEventListener("abort", onAbort);
    // Not awaited: a source still waiting for its item ends once it has it; its owner closes what it holds.
    if (!finished) void Promise.resolve(iterator.return?.()).catch(() => undefined);
  }
}
