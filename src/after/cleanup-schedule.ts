/**
 * When the next batch of deletes may go: a pure decision over the cleanup's state, so every rule is tested without a
 * server or a clock; one small loop (cleanup.ts) does the waiting and sending. Deletes have the lowest priority: they
 * wait while a submission waits for a slot (or the after-import stage runs), keep part of the write budget free while
 * the import runs, and once the report is complete go on only until the time limit.
 */

export interface ScheduleState {
  /** Ids queued and not sent. */
  readonly waiting: number;
  /** Something with priority wants the write budget (a submission waiting for a slot, the after-import stage). */
  readonly held: boolean;
  /** Every outcome is reported: delete what is left, then stop. */
  readonly closing: boolean;
  /** Stop now (the import failed, a signal, an error). */
  readonly stopped: boolean;
  readonly now: number;
  /** While closing: when to give up (undefined: no limit). */
  readonly deadline: number | undefined;
  /** Deletes the pacer allows in the next batch. */
  readonly size: number;
  /** Milliseconds until the pacer allows that batch. */
  readonly pacerWaitMs: number;
}

export type ScheduleStep =
  | { readonly kind: "stop"; readonly reason: "done" | "timeLimit" | "stopped" }
  /** Wait for something to change: ids added, the hold released, closing, stopping. */
  | { readonly kind: "idle" }
  /** Wait this long (the pacer, Retry-After, a backoff), then decide again. */
  | { readonly kind: "sleep"; readonly ms: number }
  | { readonly kind: "send"; readonly size: number };

export function nextStep(s: ScheduleState): ScheduleStep {
  if (s.stopped) return { kind: "stop", reason: "stopped" };
  if (s.waiting === 0) return s.closing ? { kind: "stop", reason: "done" } : { kind: "idle" };
  if (s.closing && s.deadline !== undefined && s.now >= s.deadline) return { kind: "stop", reason: "timeLimit" };
  if (s.held) return { kind: "idle" };
  if (s.pacerWaitMs > 0) {
    // A wait past the deadline ends at the deadline: then the time limit stops the cleanup.
    const ms = s.closing && s.deadline !== undefined ? Math.min(s.pacerWaitMs, s.deadline - s.now) : s.pacerWaitMs;
    return { kind: "sleep", ms };
  }
  return { kind: "send", size: Math.max(1, Math.min(s.size, s.waiting)) };
}
