import { randomBytes } from "node:crypto";

const SPAN = 2 ** 48;

/**
 * GUIDs derived from a record's sequence number, so a store of a million records need not hold an id string (and
 * a map entry) per record: a random prefix per store, then 12 hex digits of (seq + a random salt) mod 2^48.
 * Well-formed version-4 GUIDs, unique within the store (seq never repeats) and across stores (the prefix).
 */
export class SequenceIds {
  private readonly prefix: string;
  private readonly salt: number;

  constructor() {
    const hex = randomBytes(16).toString("hex");
    this.prefix = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${"89ab"[parseInt(hex[16] ?? "0", 16) & 3]}${hex.slice(17, 20)}-`;
    this.salt = parseInt(hex.slice(20, 32), 16);
  }

  format(seq: number): string {
    return this.prefix + ((seq + this.salt) % SPAN).toString(16).padStart(12, "0");
  }

  /** The sequence number `id` was made from, or undefined when it is not one of this store's ids. */
  parse(id: string): number | undefined {
    if (id.length !== this.prefix.length + 12 || !id.startsWith(this.prefix)) return undefined;
    const tail = id.slice(this.prefix.length);
    if (!/^[0-9a-f]{12}$/.test(tail)) return undefined;
    return (parseInt(tail, 16) - this.salt + SPAN) % SPAN;
  }
}
