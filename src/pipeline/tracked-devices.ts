/**
 * The devices in flight, kept compactly. When processing is slower than submission every device of a large import is
 * in flight at once; an object per device with its own id strings cost ~0.4 KB of live heap each, and V8 lets the heap
 * grow to a few times what is live. Here a device is a slot in typed arrays (outside the collected heap): its staged id
 * as 16 bytes when it is a GUID (any other id is kept as text), its file and upload as indexes into small tables, its
 * line, staging time, status and misses as numbers, in staging order. Only its serial number, and a group tag or user
 * (interned: most repeat), stay strings. The slot is freed when the device is final.
 */
import type { DeviceImportStatus } from "../graph/resources.js";
import { guidText, guidWords } from "./guid-words.js";
import { NameTable } from "./name-table.js";
import type { TrackedDevice } from "./types.js";

const STATUSES: readonly DeviceImportStatus[] = ["unknown", "pending", "partial", "complete", "error"];
const STATUS_CODE = new Map(STATUSES.map((status, code) => [status, code]));
const NONE = -1;
/** Distinct group tags and users interned (the rest kept as they come). */
const MAX_INTERNED = 10_000;

export class TrackedDevices {
  #capacity = 0;
  #guid = new Uint32Array(0);
  #file = new Uint32Array(0);
  #upload = new Uint32Array(0);
  #line = new Float64Array(0);
  #stagedAt = new Float64Array(0);
  #status = new Uint8Array(0);
  #misses = new Uint8Array(0);
  #prev = new Int32Array(0);
  #next = new Int32Array(0);
  readonly #serial: Array<string | undefined> = [];
  /** Ids that are not GUIDs, by slot. */
  readonly #otherId = new Map<number, string>();
  readonly #inputs = new Map<number, { groupTag?: string | undefined; assignedUserPrincipalName?: string | undefined }>();
  /** GUID slots by their first 31 bits (a small integer key); a second GUID with the same bits, and any other id, by text. */
  readonly #byPrefix = new Map<number, number>();
  readonly #byText = new Map<string, number>();
  readonly #files = new NameTable();
  readonly #uploads = new NameTable();
  readonly #interned = new Map<string, string>();
  #free: number[] = [];
  #head = NONE;
  #tail = NONE;
  #size = 0;

  get size(): number {
    return this.#size;
  }

  /** Starts tracking `device` (a device tracked again under the same staged id replaces the earlier one). */
  add(device: TrackedDevice): void {
    const known = this.find(device.stagedId);
    if (known !== undefined) this.remove(known);
    const slot = this.#allocate();
    const words = guidWords(device.stagedId);
    if (words) {
      this.#guid.set(words, slot * 4);
      const prefix = words[0]! >>> 1;
      if (this.#byPrefix.has(prefix)) this.#byText.set(device.stagedId, slot);
      else this.#byPrefix.set(prefix, slot);
    } else {
      this.#otherId.set(slot, device.stagedId);
      this.#byText.set(device.stagedId, slot);
    }
    this.#file[slot] = this.#files.indexOf(device.file);
    this.#upload[slot] = this.#uploads.indexOf(device.uploadId);
    this.#line[slot] = device.line;
    this.#stagedAt[slot] = device.stagedAt;
    this.#status[slot] = STATUS_CODE.get(device.status) ?? 0;
    this.#misses[slot] = Math.min(device.misses, 255);
    this.#serial[slot] = device.serialNumber;
    if (device.groupTag || device.assignedUserPrincipalName) {
      this.#inputs.set(slot, { groupTag: this.#intern(device.groupTag), assignedUserPrincipalName: this.#intern(device.assignedUserPrincipalName) });
    }
    this.#link(slot);
  }

  /** The slot of the device in flight with this staged id. */
  find(stagedId: string): number | undefined {
    const words = guidWords(stagedId);
    if (words) {
      const slot = this.#byPrefix.get(words[0]! >>> 1);
      if (slot !== undefined && this.#guidEquals(slot, words)) return slot;
    }
    return this.#byText.get(stagedId);
  }

  /** The device in a slot, as an object (made on demand: when it is final, or for a test). */
  device(slot: number): TrackedDevice {
    const inputs = this.#inputs.get(slot);
    return {
      file: this.#files.name(this.#file[slot]!),
      line: this.#line[slot]!,
      serialNumber: this.#serial[slot]!,
      uploadId: this.uploadId(slot),
      stagedId: this.stagedId(slot),
      stagedAt: this.#stagedAt[slot]!,
      status: this.status(slot),
      misses: this.#misses[slot]!,
      ...(inputs ? { groupTag: inputs.groupTag, assignedUserPrincipalName: inputs.assignedUserPrincipalName } : {}),
    };
  }

  stagedId(slot: number): string {
    return this.#otherId.get(slot) ?? guidText(this.#guid, slot * 4);
  }

  uploadId(slot: number): string {
    return this.#uploads.name(this.#upload[slot]!);
  }

  stagedAt(slot: number): number {
    return this.#stagedAt[slot]!;
  }

  status(slot: number): DeviceImportStatus {
    return STATUSES[this.#status[slot]!]!;
  }

  setStatus(slot: number, status: DeviceImportStatus): void {
    this.#status[slot] = STATUS_CODE.get(status) ?? 0;
  }

  /** Counts a miss (a complete answer without the record); returns the misses so far. */
  miss(slot: number): number {
    this.#misses[slot] = Math.min(this.#misses[slot]! + 1, 255);
    return this.#misses[slot]!;
  }

  seen(slot: number): void {
    this.#misses[slot] = 0;
  }

  /** The oldest device in flight (the earliest deadline). */
  first(): number | undefined {
    return this.#head === NONE ? undefined : this.#head;
  }

  /** Slots in staging order; the current one may be removed while iterating. */
  *slots(): IterableIterator<number> {
    for (let slot = this.#head; slot !== NONE; ) {
      const next = this.#next[slot]!;
      yield slot;
      slot = next;
    }
  }

  /** Staged ids of the devices in flight in these uploads, by upload id, in staging order (one pass over all). */
  idsIn(uploadIds: Iterable<string>): Map<string, string[]> {
    const wanted = new Map<number, string[]>();
    const byUpload = new Map<string, string[]>();
    for (const id of uploadIds) {
      const ids: string[] = [];
      wanted.set(this.#uploads.indexOf(id), ids);
      byUpload.set(id, ids);
    }
    for (let slot = this.#head; slot !== NONE; slot = this.#next[slot]!) wanted.get(this.#upload[slot]!)?.push(this.stagedId(slot));
    return byUpload;
  }

  remove(slot: number): void {
    const other = this.#otherId.get(slot);
    if (other !== undefined) {
      this.#otherId.delete(slot);
      this.#byText.delete(other);
    } else {
      const prefix = this.#guid[slot * 4]! >>> 1;
      if (this.#byPrefix.get(prefix) === slot) this.#byPrefix.delete(prefix);
      else this.#byText.delete(guidText(this.#guid, slot * 4));
    }
    this.#serial[slot] = undefined;
    this.#inputs.delete(slot);
    this.#unlink(slot);
    this.#free.push(slot);
    this.#size -= 1;
  }

  #guidEquals(slot: number, words: Uint32Array): boolean {
    const at = slot * 4;
    return this.#guid[at] === words[0] && this.#guid[at + 1] === words[1] && this.#guid[at + 2] === words[2] && this.#guid[at + 3] === words[3];
  }

  #intern(text: string | undefined): string | undefined {
    if (!text) return text;
    const known = this.#interned.get(text);
    if (known !== undefined) return known;
    if (this.#interned.size < MAX_INTERNED) this.#interned.set(text, text);
    return text;
  }

  #link(slot: number): void {
    this.#prev[slot] = this.#tail;
    this.#next[slot] = NONE;
    if (this.#tail === NONE) this.#head = slot;
    else this.#next[this.#tail] = slot;
    this.#tail = slot;
    this.#size += 1;
  }

  #unlink(slot: number): void {
    const prev = this.#prev[slot]!;
    const next = this.#next[slot]!;
    if (prev === NONE) this.#head = next;
    else this.#next[prev] = next;
    if (next === NONE) this.#tail = prev;
    else this.#prev[next] = prev;
  }

  #allocate(): number {
    const reused = this.#free.pop();
    if (reused !== undefined) return reused;
    if (this.#serial.length === this.#capacity) this.#grow(Math.max(1024, this.#capacity * 2));
    return this.#serial.push(undefined) - 1;
  }

  #grow(capacity: number): void {
    const grown = <T extends Uint32Array | Float64Array | Uint8Array | Int32Array>(old: T, make: (n: number) => T, width = 1): T => {
      const next = make(capacity * width);
      next.set(old);
      return next;
    };
    this.#guid = grown(this.#guid, (n) => new Uint32Array(n), 4);
    this.#file = grown(this.#file, (n) => new Uint32Array(n));
    this.#upload = grown(this.#upload, (n) => new Uint32Array(n));
    this.#line = grown(this.#line, (n) => new Float64Array(n));
    this.#stagedAt = grown(this.#stagedAt, (n) => new Float64Array(n));
    this.#status = grown(this.#status, (n) => new Uint8Array(n));
    this.#misses = grown(this.#misses, (n) => new Uint8Array(n));
    this.#prev = grown(this.#prev, (n) => new Int32Array(n));
    this.#next = grown(this.#next, (n) => new Int32Array(n));
    this.#capacity = capacity;
  }
}
