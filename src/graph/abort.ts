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
