import { hash } from "node:crypto";
import type { DeviceIdentity, SourceLocation } from "./device.js";

export interface DuplicateHit {
  readonly code: "duplicate_serial" | "duplicate_hash";
  readonly firstSeen: SourceLocation;
}

const LINE_SPACE = 2 ** 32;

/**
 * Remembers the valid devices seen so far, across files, to report repeats: the same serial number again, or the
 * same hardware hash under another serial (one machine, two serials: Graph processes only one).
 * Memory stays small: serials are short, hashes are kept as a 20-byte SHA-1 digest rather than ~5 KB of base64,
 * and a location is one number (file index × 2³² + line).
 */
export class DuplicateTracker {
  readonly #serials = new Map<string, number>();
  readonly #hashes = new Map<string, number>();
  readonly #files: string[] = [];
  readonly #fileIndex = new Map<string, number>();

  /** Returns the first occurrence when `device` repeats one; otherwise records it and returns undefined. */
  check(device: DeviceIdentity, location: SourceLocation): DuplicateHit | undefined {
    // Serial numbers are compared case-insensitively, as Autopilot does.
    const serialKey = device.serialNumber.toUpperCase();
    const serialSeen = this.#serials.get(serialKey);
    if (serialSeen !== undefined) return { code: "duplicate_serial", firstSeen: this.#unpack(serialSeen) };
    const hashKey = hash("sha1", device.hardwareIdentifier, "binary");
    const hashSeen = this.#hashes.get(hashKey);
    if (hashSeen !== undefined) return { code: "duplicate_hash", firstSeen: this.#unpack(hashSeen) };
    const packed = this.#pack(location);
    this.#serials.set(serialKey, packed);
    this.#hashes.set(hashKey, packed);
    return undefined;
  }

  /** Number of distinct valid devices recorded. */
  get size(): number {
    return this.#serials.size;
  }

  #pack(location: SourceLocation): number {
    let index = this.#fileIndex.get(location.file);
    if (index === undefined) {
      index = this.#files.length;
      this.#files.push(location.file);
      this.#fileIndex.set(location.file, index);
    }
    return index * LINE_SPACE + location.line;
  }

  #unpack(packed: number): SourceLocation {
    const index = Math.floor(packed / LINE_SPACE);
    return { file: this.#files[index] as string, line: packed - index * LINE_SPACE };
  }
}
