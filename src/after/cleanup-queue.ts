/**
 * The staged records waiting to be deleted, in the order their outcomes were reported. Each id enters at most once
 * (this process never sends a second delete for a record it deleted), ids put back after throttling go first, and
 * the counts say what became of every id ever added.
 */

/** What became of the ids of one batch of deletes. */
export interface SettledDeletes {
  /** Deleted now (2xx). */
  readonly deleted: number;
  /** Already gone (404): deleted by an earlier process whose answer was lost, or by someone else. */
  readonly gone: number;
  /** Not deleted yet (throttled, or a transient failure): put back in front of the queue. */
  readonly again: readonly string[];
  /** Refused by the service for good (a 4xx other than 404 and 429): left for a later cleanup. */
  readonly refused: number;
}

/** Compact the array once this many ids before the head are spent (and they are more than half of it). */
const COMPACT_AT = 1024;

export class CleanupQueue {
  readonly #known = new Set<string>();
  #waiting: string[] = [];
  #head = 0;
  /** Ids put back: sent before the rest, so a throttled id is not overtaken indefinitely. */
  #again: string[] = [];
  #inFlight = 0;
  #deleted = 0;
  #gone = 0;
  #refused = 0;

  /**
   * Adds a staged id; false when it was added before. `deletedBefore`: the journal says an earlier process deleted
   * it, so it only counts as deleted.
   */
  add(id: string, deletedBefore = false): boolean {
    if (id === "" || this.#known.has(id)) return false;
    this.#known.add(id);
    if (deletedBefore) this.#deleted += 1;
    else this.#waiting.push(id);
    return true;
  }

  /** Up to `max` ids to delete now (they count as in flight until settled). */
  take(max: number): string[] {
    const taken: string[] = [];
    while (taken.length < max && this.#again.length > 0) taken.push(this.#again.shift()!);
    while (taken.length < max && this.#head < this.#waiting.length) taken.push(this.#waiting[this.#head++]!);
    if (this.#head >= COMPACT_AT && this.#head * 2 >= this.#waiting.length) {
      this.#waiting = this.#waiting.slice(this.#head);
      this.#head = 0;
    }
    this.#inFlight += taken.length;
    return taken;
  }

  /** Records what became of ids taken: every id of a batch must be accounted for exactly once. */
  settle(outcome: SettledDeletes): void {
    const count = outcome.deleted + outcome.gone + outcome.again.length + outcome.refused;
    if (count > this.#inFlight) throw new RangeError(`settled ${count} deletes, but only ${this.#inFlight} were in flight`);
    this.#inFlight -= count;
    this.#deleted += outcome.deleted + outcome.gone;
    this.#gone += outcome.gone;
    this.#refused += outcome.refused;
    this.#again.unshift(...outcome.again);
  }

  /** Ids queued and not sent. */
  get waiting(): number {
    return this.#again.length + this.#waiting.length - this.#head;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  /** Ids deleted (404s included), by this process or, for ids added as such, an earlier one. */
  get deleted(): number {
    return this.#deleted;
  }

  /** Of those, the ones that were already gone. */
  get gone(): number {
    return this.#gone;
  }

  get refused(): number {
    return this.#refused;
  }

  /** Ids not deleted: queued, in flight, or refused. */
  get remaining(): number {
    return this.waiting + this.#inFlight + this.#refused;
  }

  /** Every id ever added. */
  get known(): number {
    return this.#known.size;
  }
}
