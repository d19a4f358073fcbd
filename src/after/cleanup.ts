/**
 * The cleanup of staged records: deletes exactly the staged records this run created, each once its outcome is in
 * the journal and in the report, and never anyone else's: ids come only from our own submissions (Graph's answers,
 * or reconciliation by our importId), never from a listing. Deletes are writes (100 per 20 s per app per tenant), so
 * they go at the lowest priority: JSON-batched, paced around submissions (write-pacer.ts), held back while a
 * submission waits for a slot, and once the report is complete they go on only until a time limit; whatever is
 * left is journaled as not deleted, for `autopilot-import cleanup` (or a re-run of the import) to finish.
 */
import type { GraphClient } from "../graph/client.js";
import type { CleanupJournal, CleanupSummary, ImportReportRow, StagedCleanupStage } from "../pipeline/types.js";
import { nextBackoff, type BackoffPolicy } from "../util/backoff.js";
import { resolveCleanupOptions, type ResolvedCleanupOptions, type StagedCleanupOptions } from "./cleanup-options.js";
import { CleanupOutcome, type CleanupStopReason } from "./cleanup-outcome.js";
import { CleanupQueue } from "./cleanup-queue.js";
import { nextStep } from "./cleanup-schedule.js";
import { CleanupWaits } from "./cleanup-waits.js";
import { deleteDenied, deleteRequests, tallyDeletes, type DeleteTally } from "./delete-batch.js";
import { deleteDurationMs, type WritePacer, type WriteLimit } from "./write-pacer.js";

export { DEFAULT_CLEANUP_MAX_TIME_MS, DEFAULT_RESERVE_SHARE, type CleanupProgress, type StagedCleanupOptions } from "./cleanup-options.js";
export { STAGED_PATH } from "./delete-batch.js";

/** Waits after a batch that failed for a transient reason (5xx, a lost answer). */
const TRANSIENT_BACKOFF: BackoffPolicy = { minMs: 1_000, maxMs: 60_000, factor: 2 };

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
  readonly #settings: ResolvedCleanupOptions;
  readonly #now: () => number;
  readonly #pacer: WritePacer;
  readonly #queue = new CleanupQueue();
  readonly #outcome = new CleanupOutcome();
  readonly #waits: CleanupWaits;
  #journal: CleanupJournal | undefined;
  /** Stops deletes (a batch in flight too): `start`'s signal, else the options'. */
  #runSignal: AbortSignal;
  #holds = 0;
  #closing = false;
  #deadline: number | undefined;
  #loop: Promise<void> | undefined;
  #finished: Promise<CleanupSummary> | undefined;
  #transientMs: number | undefined;

  constructor(client: GraphClient, options: StagedCleanupOptions = {}) {
    this.#client = client;
    this.#options = options;
    this.#settings = resolveCleanupOptions(options);
    this.#now = this.#settings.now;
    this.#pacer = this.#settings.pacer;
    this.#runSignal = options.signal ?? new AbortController().signal;
    this.#waits = new CleanupWaits(this.#settings.sleep, () => this.#runSignal);
  }

  /** The write budget deletes are paced by. */
  get writeLimit(): WriteLimit {
    return this.#pacer.limit;
  }

  /** How long deletes go on once the report is complete. */
  get maxTimeMs(): number {
    return this.#settings.maxTimeMs;
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
    if (added) this.#waits.poke();
  }

  hold(): () => void {
    this.#holds += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#holds -= 1;
      this.#waits.poke();
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
    return this.#outcome.summary(this.#queue);
  }

  /** Staged records found already gone (404), of those counted as deleted. */
  get alreadyGone(): number {
    return this.#queue.gone;
  }

  /** The error that stopped the cleanup (`stoppedBy` "error"), for its exit code. */
  get failure(): unknown {
    return this.#outcome.failure;
  }

  async #finish(ok: boolean, signal: AbortSignal): Promise<CleanupSummary> {
    if (!this.#loop) this.start({ signal });
    const onAbort = (): void => this.#stop("interrupted");
    if (!ok) this.#stop("interrupted");
    else {
      this.#closing = true;
      this.#deadline = Number.isFinite(this.#settings.maxTimeMs) ? this.#now() + this.#settings.maxTimeMs : undefined;
      if (signal.aborted) onAbort();
      else signal.addEventListener("abort", onAbort, { once: true });
      if (this.#queue.remaining > 0) {
        this.#options.logger?.info(
          { remaining: this.#queue.remaining, deleted: this.#queue.deleted, atLeastMs: deleteDurationMs(this.#queue.remaining, this.writeLimit), maxTimeMs: this.#settings.maxTimeMs },
          "deleting the staged records left",
        );
      }
      this.#progress();
      // A pacer wait begun before closing may run past the deadline: the loop decides again now.
      this.#waits.wakeAll();
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
        const reserve = this.#closing ? 0 : this.#settings.reserve;
        const size = this.#pacer.batchSize(this.#queue.waiting, reserve, now);
        const step = nextStep({
          waiting: this.#queue.waiting,
          held: this.#holds > 0,
          closing: this.#closing,
          stopped: this.#waits.halted,
          now,
          deadline: this.#deadline,
          size,
          pacerWaitMs: size > 0 ? this.#pacer.waitMs(size, reserve, now) : 0,
        });
        if (step.kind === "stop") {
          if (step.reason === "timeLimit") this.#outcome.stop("timeLimit");
          return;
        }
        // Idle until something changes; once closing, no later than the deadline (something may still hold deletes back).
        if (step.kind === "idle") await this.#waits.idle(this.#closing && this.#deadline !== undefined ? this.#deadline - this.#now() : undefined);
        else if (step.kind === "sleep") await this.#waits.pause(step.ms);
        else await this.#send(this.#queue.take(step.size));
      }
    } catch (error) {
      if (this.#runSignal.aborted) this.#outcome.stop("interrupted");
      else {
        this.#outcome.fail(error);
        this.#options.logger?.warn({ err: error }, "the cleanup of staged records stopped");
      }
    }
  }

  async #send(ids: string[]): Promise<void> {
    // The outcomes of these rows must be on disk before their staged records go.
    this.#journal?.flush();
    this.#pacer.spend(ids.length, this.#now());
    const results = await this.#client.batch(deleteRequests(ids), { signal: this.#runSignal });
    const now = this.#now();
    const tally = tallyDeletes(ids, results, now);
    for (const { id, status } of tally.refusals) {
      this.#outcome.refused(id, status);
      this.#options.logger?.warn({ stagedId: id, status }, "the service refused to delete a staged record: left for a later cleanup");
    }
    // Durable before anything else happens: a crash from here on never deletes these twice.
    if (tally.done.length > 0) this.#journal?.stagedDeleted(tally.done);
    this.#queue.settle(tally);
    this.#pace(tally, now);
    this.#options.logger?.debug(
      { deleted: tally.done.length, gone: tally.gone, throttled: tally.throttled, again: tally.again.length, rateShare: this.#pacer.rateShare, batchCap: this.#pacer.batchCap },
      "deleted a batch of staged records",
    );
    if (tally.denied !== undefined) throw deleteDenied(tally.denied);
    this.#progress();
  }

  /** Throttling shrinks the pacer, a transient failure blocks it for a growing backoff, a clean batch lets it grow. */
  #pace(tally: DeleteTally, now: number): void {
    if (tally.throttled) this.#pacer.onThrottled(tally.retryAfterMs, tally.done.length, now);
    else if (tally.transient) {
      this.#transientMs = nextBackoff(this.#transientMs, TRANSIENT_BACKOFF);
      this.#pacer.block(this.#transientMs, now);
      this.#options.logger?.warn({ deletes: tally.again.length, delayMs: this.#transientMs }, "deleting staged records failed for now: trying again later");
    } else {
      this.#pacer.onClean();
      this.#transientMs = undefined;
    }
  }

  #stop(reason: CleanupStopReason): void {
    if (this.#waits.halted) return;
    this.#outcome.stop(reason);
    this.#waits.halt();
  }

  #progress(): void {
    const remaining = this.#queue.remaining;
    this.#options.onProgress?.({ deleted: this.#queue.deleted, remaining, closing: this.#closing, etaMs: deleteDurationMs(remaining, this.writeLimit) });
  }
}
