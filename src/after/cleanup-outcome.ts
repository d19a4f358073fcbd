/**
 * Why the cleanup stopped and the summary it reports: the first reason given stands, an error is kept for the exit
 * code, and the first record the service refused to delete is quoted.
 */
import { AutopilotImportError } from "../errors.js";
import type { CleanupSummary } from "../pipeline/types.js";

export type CleanupStopReason = NonNullable<CleanupSummary["stoppedBy"]>;

/** The queue's counts the summary is made of (cleanup-queue.ts). */
export interface CleanupCounts {
  readonly deleted: number;
  readonly remaining: number;
  readonly refused: number;
}

export class CleanupOutcome {
  #stoppedBy: CleanupStopReason | undefined;
  #error: string | undefined;
  #failure: unknown;
  #refusal: string | undefined;

  /** The error that stopped the cleanup (`stoppedBy` "error"), for its exit code. */
  get failure(): unknown {
    return this.#failure;
  }

  /** Records why the cleanup stops, unless a reason was given before. */
  stop(reason: CleanupStopReason): void {
    this.#stoppedBy ??= reason;
  }

  /** The cleanup stops on this error. */
  fail(error: unknown): void {
    this.#stoppedBy ??= "error";
    this.#failure ??= error;
    this.#error ??= error instanceof AutopilotImportError ? error.message : String(error);
  }

  /** The service refused to delete this staged record for good. */
  refused(id: string, status: number): void {
    this.#refusal ??= `the service refused to delete staged record ${id} (HTTP ${status})`;
  }

  /** The summary for these counts: nothing stopped it when nothing remains. */
  summary({ deleted, remaining, refused }: CleanupCounts): CleanupSummary {
    if (remaining === 0) return { deleted, remaining, stoppedBy: null };
    const stoppedBy = this.#stoppedBy ?? (refused > 0 ? "refused" : "interrupted");
    const error = stoppedBy === "refused" ? `${refused} staged record(s) could not be deleted; the first: ${this.#refusal ?? "?"}` : this.#error;
    return { deleted, remaining, stoppedBy, ...(error !== undefined && (stoppedBy === "error" || stoppedBy === "refused") ? { error } : {}) };
  }
}
