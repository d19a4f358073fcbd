/**
 * The cleanup of staged records: deletes exactly the staged records this run created, each once its outcome is in
 * the journal and in the report, and never anyone else's: ids come only from our own submissions (Graph's answers,
 * or reconciliation by our importId), never from a listing. Deletes are writes (100 per 20 s per app per tenant), so
 * they go at the lowest priority: JSON-batched, paced around submissions (write-pacer.ts), held back while a
 * submission waits for a slot, and once the report is complete they go on only until a time limit; whatever is
 * left is journaled as not deleted, for `autopilot-import cleanup` (or a re-run of the import) to finish.
 */
import { AutopilotImportError, ServiceError } from "../errors.js";
import { anySignal, sleep as realSleep } from "../graph/abort.js";
import type { GraphClient } from "../graph/client.js";
import type { GraphRequest } from "../graph/types.js";
import type { CleanupJournal, CleanupSummary, ImportReportRow, StagedCleanupStage } from "../pipeline/types.js";
import { nextBackoff, type BackoffPolicy } from "./backoff.js";
import { CleanupQueue } from "./cleanup-queue.js";
import { nextStep } from "./cleanup-schedule.js";
import { deleteVerdict } from "./delete-verdict.js";
import type { AfterRuntime } from "./types.js";
import { DEFAULT_WRITE_LIMIT, deleteDurationMs, WritePacer, type WriteLimit } from "./write-pacer.js";

export const STAGED_PATH = "/deviceManagement/importedWindowsAutopilotDeviceIdentities";
/** How long deletes go on once the report is complete (at 100 writes per 20 s: about 3,000 records). */
export const DEFAULT_CLEANUP_MAX_TIME_MS = 10 * 60_000;
/** Share of the write budget kept free for submissions while the import runs. */
export const DEFAULT_RESERVE_SHARE = 0.2;
/** Waits after a batch that failed for a transient reason (5xx, a lost answer). */
const TRANSIENT_BACKOFF: BackoffPolicy = { minMs: 1_000, maxMs: 60_000, factor: 2 };

export interface CleanupProgress {
  readonly deleted: number;
  readonly remaining: number;
  /** Every outcome is reported: what is left is deleted until the time limit. */
  readonly closing: boolean;
  /** How long the rest takes at the write limit (a floor: the service allows no faster). */
  readonly etaMs: number;
}

export interface StagedCleanupOptions extends AfterRuntime {
  /** The service's write budget deletes are paced by; default 100 writes per 20 s (Intune's, per app per tenant). */
  readonly writeLimit?: WriteLimit;
  /** How long deletes go on once the report is complete: default 10 min; 0: not at all; Infinity: until done. */
  readonly maxTimeMs?: number;
  /** Share of the write budget left free for submissions while the import runs (default 0.2). */
  readonly reserveShare?: number;
  /** After each batch of deletes, and when the report is complete. */
  readonly onProgress?: (progress: CleanupProgress) => void;
  /** A pacer shared with other cleanups of the same app and tenant (one write budget); default a new one. */
  readonly pacer?: WritePacer;
}

/** The cleanup stage importDevices takes as `cleanup` (and the engine of `deleteStagedRecords` and `cleanupRuns`). */
export function createStagedCleanup(client: GraphClient, options: StagedCleanupOptions = {}): StagedCleanup {
  return new StagedCleanup(client, options);
}

export interface DeleteStagedOptions extends StagedCleanupOptions {
  /** Where deletions are journaled (and which ids an earlier process deleted); none: counts in memory only. */
  readonly journal?: CleanupJournal;
}

/** Deletes these staged records (ids of records you created), paced and JSON-batched; a 404 counts as deleted. */
export async function deleteStagedRecords(client: GraphClient, ids: Iterable<string>, options: DeleteStagedOptions = {}): Promise<CleanupSummary> {
  const cleanup = new StagedCleanup(client, { maxTimeMs: Number.POSITIVE_INFINITY, ...options });
  const signal = options.signal ?? new AbortController().signal;
  cleanup.start({ journal: options.journal, signal });
  cleanup.add(ids);
  return cleanup.finish(true, signal);
}

export class StagedCleanup implements StagedCleanupStage {
  readonly #client: GraphClient;
  readonly #options: StagedCleanupOptions;
  readonly #now: () => number;
  readonly #sleep: NonNullable<AfterRuntime["sleep"]>;
  readonly #pacer: WritePacer;
  readonly #reserve: number;
  readonly #maxTimeMs: number;
  readonly #queue = new CleanupQueue();
  /** Stops the loop's waits (never a batch in flight: its answer is journaled). */
  readonly #halt = new AbortController();
  #journal: CleanupJournal | undefined;
  /** Stops deletes (a batch in flight too): `start`'s signal, else the options'. */
  #runSignal: AbortSignal;
  #holds = 0;
  #closing = false;
  #deadline: number | undefined;
  #stoppedBy: CleanupSummary["stoppedBy"] = null;
  #error: string | undefined;
  #failure: unknown;
  /** The first refusal, for the summary. */
  #refusal: string | undefined;
  #loop: Promise<void> | undefined;
  #finished: Promise<CleanupSummary> | undefined;
  #wake: (() => void) | undefined;
  #transientMs: number | undefined;

  constructor(client: GraphClient, options: StagedCleanupOptions = {}) {
    this.#client = client;
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#sleep = options.sleep ?? realSleep;
    this.#runSignal = options.signal ?? new AbortController().signal;
    this.#pacer = options.pacer ?? new WritePacer(options.writeLimit ?? DEFAULT_WRITE_LIMIT, this.#now());
    const limit = this.#pacer.limit;
    const share = options.reserveShare ?? DEFAULT_RESERVE_SHARE;
    if (!(share >= 0 && share < 1)) throw new RangeError(`reserveShare must be in [0, 1), got ${String(share)}`);
    this.#reserve = Math.ceil(limit.writes * share);
    this.#maxTimeMs = options.maxTimeMs ?? DEFAULT_CLEANUP_MAX_TIME_MS;
    if (!(this.#maxTimeMs >= 0)) throw new RangeError(`maxTimeMs must be 0 or more, got ${String(options.maxTimeMs)}`);
  }

  /** The write budget deletes are paced by. */
  get writeLimit(): WriteLimit {
    return this.#pacer.limit;
  }

  /** How long deletes go on once the report is complete. */
  get maxTimeMs(): number {
    return this.#maxTimeMs;
  }

  start(context: { readonly journal?: CleanupJournal; readonly signal: AbortSignal }): void {
    if (this.#loop) return;
    this.#journal = context.journal;
    this.#runSignal = context.signal;
    const onAbort = (): void => this.#stop("interrupted");
    if (context.signal.aborted) onAbort();
    else context.signal.addEventListener("abort", onAbort, { once: true });
    this.#loop = this.#run().finally(() => context.signal.removeEventListener("abort", onAbort));
  }

  reported(row: ImportReportRow): void {
    // A device still processing at the deadline keeps its staged record: it is where its result will appear.
    if (row.importedDeviceId && row.status !== "timeout") this.add([row.importedDeviceId]);
  }

  /** Queues staged ids of this run (each once; those the journal says are deleted only count as deleted). */
  add(ids: Iterable<string>): void {
    let added = false;
    for (const id of ids) added = this.#queue.add(id, this.#journal?.isStagedDeleted(id) ?? false) || added;
    if (added) this.#poke();
  }

  hold(): () => void {
    this.#holds += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#holds -= 1;
      this.#poke();
    };
  }

  noteWrites(count: number): void {
    this.#pacer.spend(count, this.#now());
  }

  finish(ok: boolean, signal: AbortSignal): Promise<CleanupSummary> {
    this.#finished ??= this.#finish(ok, signal);
    return this.#finished;
  }

  /** Counts so far. */
  get summary(): CleanupSummary {
    const remaining = this.#queue.remaining;
    if (remaining === 0) return { deleted: this.#queue.deleted, remaining, stoppedBy: null };
    const stoppedBy = this.#stoppedBy ?? (this.#queue.refused > 0 ? "refused" : "interrupted");
    const error = stoppedBy === "refused" ? `${this.#queue.refused} staged record(s) could not be deleted; the first: ${this.#refusal ?? "?"}` : this.#error;
    return { deleted: this.#queue.deleted, remaining, stoppedBy, ...(error !== undefined && (stoppedBy === "error" || stoppedBy === "refused") ? { error } : {}) };
  }

  /** Staged records found already gone (404), of those counted as deleted. */
  get alreadyGone(): number {
    return this.#queue.gone;
  }

  /** The error that stopped the cleanup (`stoppedBy` "error"), for its exit code. */
  get failure(): unknown {
    return this.#failure;
  }

  async #finish(ok: boolean, signal: AbortSignal): Promise<CleanupSummary> {
    if (!this.#loop) this.start({ signal });
    const onAbort = (): void => this.#stop("interrupted");
    if (!ok) this.#stop("interrupted");
    else {
      this.#closing = true;
      this.#deadline = Number.isFinite(this.#maxTimeMs) ? this.#now() + this.#maxTimeMs : undefined;
      if (signal.aborted) onAbort();
      else signal.addEventListener("abort", onAbort, { once: true });
      if (this.#queue.remaining > 0) {
        this.#options.logger?.info(
          { remaining: this.#queue.remaining, deleted: this.#queue.deleted, atLeastMs: deleteDurationMs(this.#queue.remaining, this.writeLimit), maxTimeMs: this.#maxTimeMs },
          "deleting the staged records left",
        );
      }
      this.#progress();
      this.#poke();
    }
    try {
      await this.#loop;
    } finally {
      signal.removeEventListener("abort", onAbort);
    }
    const summary = this.summary;
    this.#options.logger?.info({ cleanup: summary, alreadyGone: this.#queue.gone }, summary.remaining === 0 ? "staged records deleted" : "cleanup stopped");
    return summary;
  }

  async #run(): Promise<void> {
    try {
      for (;;) {
        const now = this.#now();
        const reserve = this.#closing ? 0 : this.#reserve;
        const size = this.#pacer.batchSize(this.#queue.waiting, reserve, now);
        const step = nextStep({
          waiting: this.#queue.waiting,
          held: this.#holds > 0,
          closing: this.#closing,
          stopped: this.#halt.signal.aborted,
          now,
          deadline: this.#deadline,
          size,
          pacerWaitMs: size > 0 ? this.#pacer.waitMs(size, reserve, now) : 0,
        });
        if (step.kind === "stop") {
          if (step.reason === "timeLimit") this.#stoppedBy ??= "timeLimit";
          return;
        }
        if (step.kind === "idle") await this.#idle();
        else if (step.kind === "sleep") await this.#pause(step.ms);
        else await this.#send(this.#queue.take(step.size));
      }
    } catch (error) {
      if (this.#runSignal.aborted) this.#stoppedBy ??= "interrupted";
      else {
        this.#stoppedBy ??= "error";
        this.#failure ??= error;
        this.#error ??= error instanceof AutopilotImportError ? error.message : String(error);
        this.#options.logger?.warn({ err: error }, "the cleanup of staged records stopped");
      }
    }
  }

  async #send(ids: string[]): Promise<void> {
    // The outcomes of these rows must be on disk before their staged records go.
    this.#journal?.flush();
    this.#pacer.spend(ids.length, this.#now());
    const requests: GraphRequest[] = ids.map((id) => ({
      method: "DELETE",
      path: `${STAGED_PATH}/${encodeURIComponent(id)}`,
      // A 429 comes back to us: the pacer waits it out and shrinks, instead of the client's loop resending at once.
      retry: { maxThrottleRetries: 0 },
    }));
    const results = await this.#client.batch(requests, { signal: this.#runSignal });
    const now = this.#now();
    const done: string[] = [];
    const again: string[] = [];
    let gone = 0;
    let refused = 0;
    let throttled = false;
    let retryAfterMs: number | undefined;
    let transient = false;
    let denied: number | undefined;
    results.forEach((result, i) => {
      const id = ids[i]!;
      const verdict = deleteVerdict(result, now);
      switch (verdict.kind) {
        case "deleted":
          done.push(id);
          return;
        case "gone":
          done.push(id);
          gone += 1;
          return;
        case "throttled":
          throttled = true;
          if (verdict.retryAfterMs !== undefined) retryAfterMs = Math.max(retryAfterMs ?? 0, verdict.retryAfterMs);
          again.push(id);
          return;
        case "transient":
          transient = true;
          again.push(id);
          return;
        case "denied":
          denied = verdict.status;
          again.push(id);
          return;
        case "refused":
          refused += 1;
          this.#refusal ??= `the service refused to delete staged record ${id} (HTTP ${verdict.status})`;
          this.#options.logger?.warn({ stagedId: id, status: verdict.status }, "the service refused to delete a staged record: left for a later cleanup");
          return;
      }
    });
    // Durable before anything else happens: a crash from here on never deletes these twice.
    if (done.length > 0) this.#journal?.stagedDeleted(done);
    this.#queue.settle({ deleted: done.length - gone, gone, again, refused });
    if (throttled) this.#pacer.onThrottled(retryAfterMs, done.length, now);
    else if (transient) {
      this.#transientMs = nextBackoff(this.#transientMs, TRANSIENT_BACKOFF);
      this.#pacer.block(this.#transientMs, now);
      this.#options.logger?.warn({ deletes: again.length, delayMs: this.#transientMs }, "deleting staged records failed for now: trying again later");
    } else {
      this.#pacer.onClean();
      this.#transientMs = undefined;
    }
    this.#options.logger?.debug(
      { deleted: done.length, gone, throttled, again: again.length, rateShare: this.#pacer.rateShare, batchCap: this.#pacer.batchCap },
      "deleted a batch of staged records",
    );
    if (denied !== undefined) {
      throw new ServiceError(
        `deleting staged records was refused (HTTP ${denied}): the app needs DeviceManagementServiceConfig.ReadWrite.All; ` +
          "the records left are deleted by `autopilot-import cleanup` once it may",
        denied,
      );
    }
    this.#progress();
  }

  /** Until something changes; once closing, no later than the deadline (something may still hold deletes back). */
  async #idle(): Promise<void> {
    const woken = new Promise<void>((resolve) => {
      this.#wake = resolve;
    });
    if (!this.#closing || this.#deadline === undefined) return woken;
    const timer = new AbortController();
    try {
      await Promise.race([woken, this.#pause(this.#deadline - this.#now(), timer.signal)]);
    } finally {
      timer.abort();
    }
  }

  async #pause(ms: number, extra?: AbortSignal): Promise<void> {
    const signal = anySignal(this.#halt.signal, this.#runSignal, extra);
    try {
      await this.#sleep(Math.max(0, ms), signal);
    } catch (error) {
      if (!signal.aborted) throw error;
    }
  }

  #poke(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  #stop(reason: NonNullable<CleanupSummary["stoppedBy"]>): void {
    if (this.#halt.signal.aborted) return;
    this.#stoppedBy ??= reason;
    this.#halt.abort();
    this.#poke();
  }

  #progress(): void {
    const remaining = this.#queue.remaining;
    this.#options.onProgress?.({ deleted: this.#queue.deleted, remaining, closing: this.#closing, etaMs: deleteDurationMs(remaining, this.writeLimit) });
  }
}
