import type { DeviceIdentity, SourceLocation } from "./device.js";
import { digestInto, DigestTable } from "./digest-table.js";

export interface DuplicateHit {
  readonly code: "duplicate_serial" | "duplicate_hash";
  readonly firstSeen: SourceLocation;
}

/**
 * Remembers the valid devices seen so far, across files, to report repeats: the same serial number again, or the
 * same hardware hash under another serial (one machine, two serials: Graph processes only one).
 * Memory stays small at any size: serials and hashes are kept as 128-bit digests in typed-array tables (a ~5 KB
 * hash costs 16 bytes), and each device's first location as two int32s: about 62 bytes per device in all.
 */
export class DuplicateTracker {
  readonly #serials = new DigestTable();
  readonly #hashes = new DigestTable();
  readonly #serialDigest = new Uint32Array(4);
  readonly #hashDigest = new Uint32Array(4);
  #fileOf = new Int32Array(1024);
  #lineOf = new Int32Array(1024);
  #count = 0;
  readonly #files: string[] = [];
  readonly #fileIndex = new Map<string, number>();

  /** Returns the first occurrence when `device` repeats one; otherwise records it and returns undefined. */
  check(device: DeviceIdentity, location: SourceLocation): DuplicateHit | undefined {
    // Serial numbers are compared case-insensitively, as Autopilot does.
    const serialDigest = digestInto(device.serialNumber.toUpperCase(), this.#serialDigest);
    const serialSeen = this.#serials.get(serialDigest);
    if (serialSeen !== undefined) return { code: "duplicate_serial", firstSeen: this.#location(serialSeen) };
    const hashDigest = digestInto(device.hardwareIdentifier, this.#hashDigest);
    const hashSeen = this.#hashes.get(hashDigest);
    if (hashSeen !== undefined) return { code: "duplicate_hash", firstSeen: this.#location(hashSeen) };
    const entry = this.#record(location);
    this.#serials.set(serialDigest, entry);
    this.#hashes.set(hashDigest, entry);
    return undefined;
  }

  /** For files without hashes (device lists for update and deregister): the same serial number again. */
  checkSerial(serialNumber: string, location: SourceLocation): DuplicateHit | undefined {
    const serialDigest = digestInto(serialNumber.toUpperCase(), this.#serialDigest);
    const serialSeen = this.#serials.get(serialDigest);
    if (serialSeen !== undefined) return { code: "duplicate_serial", firstSeen: this.#location(serialSeen) };
    this.#serials.set(serialDigest, this.#record(location));
    return undefined;
  }

  /** Number of distinct valid devices recorded. */
  get size(): number {
    return this.#count;
  }

  #record(location: SourceLocation): number {
    let file = this.#fileIndex.get(location.file);
    if (file === undefined) {
      file = this.#files.length;
      this.#files.push(location.file);
      this.#fileIndex.set(location.file, file);
    }
    if (this.#count === this.#lineOf.length) {
      this.#fileOf = grow(this.#fileOf);
      this.#lineOf = grow(this.#lineOf);
    }
    this.#fileOf[this.#count] = file;
    this.#lineOf[this.#count] = location.line;
    return this.#count++;
  }

  #location(entry: number): SourceLocation {
    return { file: this.#files[this.#fileOf[entry] as number] as string, line: this.#lineOf[entry] as number };
  }
}

function grow(array: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const larger = new Int32Array(array.length * 2);
  larger.set(array);
  return larger;
}
