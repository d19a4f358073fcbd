import { hash } from "node:crypto";

/** The first 128 bits of a SHA-1 digest, as four 32-bit words: collisions are out of reach at any file size. */
export type Digest = Uint32Array;

/** Digests `text` into `into` (reused, so that a lookup allocates nothing but the digest string). */
export function digestInto(text: string, into: Digest): Digest {
  const bytes = hash("sha1", text, "binary"); // one character per byte
  for (let word = 0; word < 4; word++) {
    const at = word * 4;
    into[word] =
      ((bytes.charCodeAt(at) << 24) | (bytes.charCodeAt(at + 1) << 16) | (bytes.charCodeAt(at + 2) << 8) | bytes.charCodeAt(at + 3)) >>> 0;
  }
  return into;
}

const MAX_LOAD = 0.75;

/**
 * A hash table from digests to non-negative int32 values, held in typed arrays (open addressing, linear probing):
 * about 27 bytes per entry instead of ~100 for a Map keyed by strings, and nothing for the garbage collector to scan.
 */
export class DigestTable {
  #keys: Uint32Array;
  #values: Int32Array; // value + 1; 0 marks an empty slot
  #mask: number;
  #size = 0;

  constructor(initialCapacity = 1024) {
    let capacity = 16;
    while (capacity < initialCapacity) capacity *= 2;
    this.#keys = new Uint32Array(capacity * 4);
    this.#values = new Int32Array(capacity);
    this.#mask = capacity - 1;
  }

  get size(): number {
    return this.#size;
  }

  get(digest: Digest): number | undefined {
    const slot = this.#find(this.#keys, this.#values, this.#mask, digest);
    const stored = this.#values[slot] as number;
    return stored === 0 ? undefined : stored - 1;
  }

  /** Sets the value for `digest` (0 ≤ value < 2³¹ − 1). */
  set(digest: Digest, value: number): void {
    if ((this.#size + 1) / (this.#mask + 1) > MAX_LOAD) this.#grow();
    const slot = this.#find(this.#keys, this.#values, this.#mask, digest);
    if (this.#values[slot] === 0) {
      this.#size++;
      this.#keys.set(digest.subarray(0, 4), slot * 4);
    }
    this.#values[slot] = value + 1;
  }

  /** The slot holding `digest`, or the empty slot where it belongs. */
  #find(keys: Uint32Array, values: Int32Array, mask: number, digest: Digest): number {
    let slot = (digest[0] as number) & mask;
    for (;;) {
      if (values[slot] === 0) return slot;
      const at = slot * 4;
      if (keys[at] === digest[0] && keys[at + 1] === digest[1] && keys[at + 2] === digest[2] && keys[at + 3] === digest[3]) return slot;
      slot = (slot + 1) & mask;
    }
  }

  #grow(): void {
    const oldKeys = this.#keys;
    const oldValues = this.#values;
    const capacity = (this.#mask + 1) * 2;
    this.#keys = new Uint32Array(capacity * 4);
    this.#values = new Int32Array(capacity);
    this.#mask = capacity - 1;
    for (let slot = 0; slot < oldValues.length; slot++) {
      if (oldValues[slot] === 0) continue;
      const digest = oldKeys.subarray(slot * 4, slot * 4 + 4);
      const target = this.#find(this.#keys, this.#values, this.#mask, digest);
      this.#keys.set(digest, target * 4);
      this.#values[target] = oldValues[slot] as number;
    }
  }
}
