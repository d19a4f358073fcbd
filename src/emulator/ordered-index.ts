/** Anything the store pages through: a stable sequence number and a tombstone flag. */
export interface Sequenced {
  readonly seq: number;
  deleted: boolean;
}

export interface Page<T> {
  readonly items: T[];
  /** Sequence number of the last item, for the next page's skip token; undefined when no more items match. */
  readonly nextAfter: number | undefined;
}

/**
 * Items in insertion order with O(log n) seek to a skip token and O(page) reads.
 * Deletes leave tombstones (the item's `deleted` flag) that are compacted once they outnumber live items.
 */
export class OrderedIndex<T extends Sequenced> {
  private items: T[] = [];
  private dead = 0;

  get size(): number {
    return this.items.length - this.dead;
  }

  add(item: T): void {
    this.items.push(item);
  }

  /** Call after setting `item.deleted` for an item held here. */
  noteDeleted(): void {
    this.dead += 1;
    if (this.dead > 1024 && this.dead * 2 > this.items.length) {
      this.items = this.items.filter((item) => !item.deleted);
      this.dead = 0;
    }
  }

  /** Up to `limit` live items with seq > `after` that satisfy `match`. */
  page(after: number, limit: number, match?: (item: T) => boolean): Page<T> {
    const out: T[] = [];
    if (limit <= 0) return { items: out, nextAfter: undefined };
    let index = this.firstAfter(after);
    for (; index < this.items.length; index += 1) {
      const item = this.items[index] as T;
      if (item.deleted || (match && !match(item))) continue;
      if (out.length === limit) return { items: out, nextAfter: out.at(-1)?.seq ?? after };
      out.push(item);
    }
    return { items: out, nextAfter: undefined };
  }

  /** The live item with this sequence number (binary search), if any. */
  bySeq(seq: number): T | undefined {
    const item = this.items[this.firstAfter(seq - 1)];
    return item !== undefined && item.seq === seq && !item.deleted ? item : undefined;
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (const item of this.items) if (!item.deleted) yield item;
  }

  clear(): void {
    this.items = [];
    this.dead = 0;
  }

  private firstAfter(after: number): number {
    let low = 0;
    let high = this.items.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if ((this.items[mid] as T).seq <= after) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}
