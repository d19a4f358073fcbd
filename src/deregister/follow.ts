/**
 * Following deletions: the service answers a DELETE with 204 and removes the record later, so each record is read
 * again (GET by id, JSON-batched 20 per request) until it answers 404 (`deleted`) or its deadline passes (`pending`).
 * Each record is read at growing intervals (1 s, then ×1.5 up to 15 s, the last read at its deadline), records that
 * fall due together share batches, and a batch goes at most once a second: never a hot loop, and thousands of records
 * in progress still take only a fifth of the request budget.
 */
import { byIdRequest } from "../after/registered.js";
import { JSON_BATCH_LIMIT } from "../graph/batch.js";
import type { GraphClient } from "../graph/client.js";
import { abortError, type Sleep } from "../util/abort.js";

export const FOLLOW_FIRST_MS = 1_000;
export const FOLLOW_MAX_MS = 15_000;
const FOLLOW_FACTOR = 1.5;
/** At most one read batch (20 GETs) a second: a fifth of Intune's request budget (1,000 per 20 s) at the most. */
export const FOLLOW_READ_GAP_MS = 1_000;

export interface Followed<T> {
  readonly id: string;
  readonly item: T;
}

interface Entry<T> extends Followed<T> {
  readonly deadlineAt: number;
  dueAt: number;
  intervalMs: number;
}

export interface FollowerRuntime {
  readonly client: GraphClient;
  readonly deadlineMs: number;
  readonly now: () => number;
  readonly sleep: Sleep;
  readonly signal: AbortSignal;
  /** The record is gone (404) or still listed at its deadline; called once per record. */
  readonly settled: (followed: Followed<unknown>, result: "deleted" | "pending") => Promise<void>;
}

export class DeletionFollower<T> {
  readonly #runtime: FollowerRuntime;
  readonly #entries: Array<Entry<T>> = [];
  #wake: (() => void) | undefined;
  #closing = false;
  #lastReadAt = Number.NEGATIVE_INFINITY;
  readonly #loop: Promise<void>;
  readonly #stopper = new AbortController();

  constructor(runtime: FollowerRuntime) {
    // Its own stop as well as the run's: a run that ends on an error leaves no read or timer behind.
    this.#runtime = { ...runtime, signal: AbortSignal.any([runtime.signal, this.#stopper.signal]) };
    this.#loop = this.#run();
    // Failures surface from done(); until then nothing is unhandled.
    this.#loop.catch(() => undefined);
  }

  /** Records whose deletion the service accepted (or an earlier attempt sent): followed from now until their deadline. */
  add(records: ReadonlyArray<Followed<T>>): void {
    const now = this.#runtime.now();
    for (const record of records) {
      const deadlineAt = now + this.#runtime.deadlineMs;
      this.#entries.push({ ...record, deadlineAt, dueAt: Math.min(now + FOLLOW_FIRST_MS, deadlineAt), intervalMs: FOLLOW_FIRST_MS });
    }
    this.#wake?.();
  }

  get following(): number {
    return this.#entries.length;
  }

  /** No more records will come: resolves once every record followed is settled. */
  async done(): Promise<void> {
    this.#closing = true;
    this.#wake?.();
    await this.#loop;
  }

  /** Stops following (the run ended early): records not settled stay unreported. */
  stop(): void {
    this.#stopper.abort();
  }

  async #run(): Promise<void> {
    const { now, sleep, signal } = this.#runtime;
    for (;;) {
      if (this.#entries.length === 0 && this.#closing) return;
      // Idle: until a record comes (a timer would keep the process alive).
      let next = Number.POSITIVE_INFINITY;
      for (const entry of this.#entries) next = Math.min(next, entry.dueAt);
      const waitMs = this.#entries.length === 0 ? undefined : Math.max(next, this.#lastReadAt + FOLLOW_READ_GAP_MS) - now();
      if (waitMs === undefined || waitMs > 0) {
        await this.#pause(waitMs, sleep, signal);
        continue;
      }
      // The most overdue first, one batch at a time: reads stay within a share of the request budget however many
      // deletions are in progress (those waiting are read a little later, never skipped).
      const at = now();
      const due = this.#entries.filter((entry) => entry.dueAt <= at).sort((a, b) => a.dueAt - b.dueAt).slice(0, JSON_BATCH_LIMIT);
      this.#lastReadAt = at;
      await this.#check(due);
    }
  }

  /** Waits `ms` (undefined: until woken), or less when records are added or the follower closes. */
  async #pause(ms: number | undefined, sleep: Sleep, signal: AbortSignal): Promise<void> {
    const wake = new AbortController();
    this.#wake = () => wake.abort();
    try {
      if (ms !== undefined) await sleep(ms, AbortSignal.any([signal, wake.signal]));
      else {
        await new Promise<void>((resolve, reject) => {
          const onAbort = (): void => (signal.aborted ? reject(abortError(signal)) : resolve());
          if (signal.aborted) onAbort();
          wake.signal.addEventListener("abort", onAbort, { once: true });
          signal.addEventListener("abort", onAbort, { once: true });
        });
      }
    } catch (error) {
      if (signal.aborted || !wake.signal.aborted) throw error;
    } finally {
      this.#wake = undefined;
    }
  }

  async #check(due: Array<Entry<T>>): Promise<void> {
    const { client, now, signal, settled } = this.#runtime;
    const answers = await client.batch(due.map((entry) => byIdRequest(entry.id)), { signal });
    const at = now();
    for (const [i, entry] of due.entries()) {
      const answer = answers[i]!;
      // A failed read (5xx after retries, a lost answer) tells nothing: the record is read again at its next turn.
      const gone = !answer.ok && answer.status === 404;
      const stillThere = answer.ok;
      if (gone || (stillThere && at >= entry.deadlineAt) || (!answer.ok && at >= entry.deadlineAt)) {
        this.#entries.splice(this.#entries.indexOf(entry), 1);
        await settled(entry, gone ? "deleted" : "pending");
        continue;
      }
      entry.intervalMs = Math.min(FOLLOW_MAX_MS, entry.intervalMs * FOLLOW_FACTOR);
      entry.dueAt = Math.min(at + entry.intervalMs, entry.deadlineAt);
    }
  }
}
