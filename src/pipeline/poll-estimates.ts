/** What the poller learns from its looks: how long the service takes to process a device, and how many records are staged. */

/**
 * Processing took longer than the last look that still saw a device in progress, and no longer than the look that saw
 * it final. The narrowest such bracket seen (usually from looks a few seconds apart) gives the estimate: its middle.
 */
export class ProcessingTime {
  #ms: number | undefined;
  #bracketWidth = Number.POSITIVE_INFINITY;

  /** The estimate (ms from staging to final); undefined until a device finished. */
  get ms(): number | undefined {
    return this.#ms;
  }

  /** A device staged at `stagedAt`, last seen in progress at `lastLookAt`, was seen final at `now`. */
  learn(stagedAt: number, lastLookAt: number, now: number): void {
    const upper = now - stagedAt;
    const lower = lastLookAt > stagedAt ? lastLookAt - stagedAt : 0;
    const width = upper - lower;
    if (width < this.#bracketWidth) {
      this.#bracketWidth = width;
      this.#ms = (lower + upper) / 2;
    }
  }
}

/** The size of the staged collection: our records are counted as we stage them, everyone else's by listings. */
export class StagedCollection {
  /** Staged records that are not ours, as of the last listing (undefined before one). */
  #others: number | undefined;
  #ours = 0;

  /** Counts a record this run staged. */
  addOurs(): void {
    this.#ours += 1;
  }

  /** A listing read `records` records: all of the collection when `complete`, else a lower bound of the others'. */
  listed(records: number, complete: boolean): void {
    const others = Math.max(0, records - this.#ours);
    this.#others = complete ? others : Math.max(this.#others ?? 0, others);
  }

  /** The whole collection; undefined until a listing has been read. */
  get estimate(): number | undefined {
    return this.#others === undefined ? undefined : this.#others + this.#ours;
  }

  /** The estimate, or before any full listing ours plus one page of others' records (the size is unknown yet). */
  atLeast(pageSize: number): number {
    return this.estimate ?? this.#ours + pageSize;
  }
}
