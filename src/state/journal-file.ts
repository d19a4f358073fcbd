/**
 * The journal file on disk: read back record by record (memory stays flat however long it is), cut back to its last
 * intact record before anything is appended, and appended to with one write per record (a crash never leaves half a
 * record that a later write would glue onto), fsynced when the caller says the record matters.
 */
import { closeSync, createReadStream, fchmodSync, fstatSync, fsyncSync, ftruncateSync, openSync, writeSync } from "node:fs";
import path from "node:path";
import { decodeLine, encodeRecord } from "./codec.js";
import { JournalWatch, journalWriteError } from "./journal-watch.js";
import { parseRecord, type JournalRecord } from "./records.js";

export interface ScanResult {
  /** Intact records of a kind this version knows. */
  readonly records: number;
  /** Intact lines (checksum right) of a kind this version does not know: kept, skipped. */
  readonly unknown: number;
  /** Damaged lines followed by intact ones (not a torn tail): skipped. */
  readonly damaged: number;
  /** Bytes after the last intact line: a record torn by a crash or power loss, cut off before appending. */
  readonly tornBytes: number;
  /** Where the intact part ends (bytes). */
  readonly intactBytes: number;
}

const NEWLINE = 0x0a;
/** State files hold serial numbers, user names and ids: readable by their owner only. */
export const STATE_FILE_MODE = 0o600;

/** Calls `onRecord` for every intact record, in order (`parse`: the record kinds this journal holds; default an import's). */
export async function scanJournal<R = JournalRecord>(
  file: string,
  onRecord: (record: R) => void,
  parse: (value: unknown) => R | undefined = parseRecord as (value: unknown) => R | undefined,
): Promise<ScanResult> {
  let records = 0;
  let unknown = 0;
  let damaged = 0;
  let badSinceIntact = 0;
  let offset = 0;
  let intactBytes = 0;
  let carry: Buffer | undefined;
  const take = (line: Buffer, end: number): void => {
    const value = decodeLine(line.toString("utf8"));
    if (value === undefined) {
      badSinceIntact += 1;
      return;
    }
    damaged += badSinceIntact;
    badSinceIntact = 0;
    intactBytes = end;
    const record = parse(value);
    if (record === undefined) unknown += 1;
    else {
      records += 1;
      onRecord(record);
    }
  };
  for await (const chunk of createReadStream(file, { highWaterMark: 256 * 1024 }) as AsyncIterable<Buffer>) {
    let buffer = carry ? Buffer.concat([carry, chunk]) : chunk;
    const base = offset - (carry?.length ?? 0);
    let start = 0;
    for (let at = buffer.indexOf(NEWLINE); at !== -1; at = buffer.indexOf(NEWLINE, start)) {
      take(buffer.subarray(start, at), base + at + 1);
      start = at + 1;
    }
    offset += chunk.length;
    buffer = buffer.subarray(start);
    carry = buffer.length > 0 ? Buffer.from(buffer) : undefined;
  }
  // An unterminated last line is torn even if it happens to decode: its newline never reached the disk.
  return { records, unknown, damaged, tornBytes: offset - intactBytes, intactBytes };
}

/** fsync of a directory, so a new or renamed entry in it survives a power loss (not possible on Windows: skipped). */
export function syncDirectory(dir: string): void {
  if (process.platform === "win32") return;
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** An open journal file; every append is one write(2). */
export class JournalAppender {
  #fd: number | undefined;
  #unsynced = false;
  /** fsyncs done, for the benchmark and tests. */
  syncs = 0;

  readonly #file: string;
  readonly #watch: JournalWatch;
  /** Set once the journal was found lost or could not be written: every later append fails the same way. */
  #failure: unknown;

  private constructor(file: string, fd: number) {
    this.#file = file;
    this.#fd = fd;
    this.#watch = new JournalWatch(file, fd);
  }

  /** Creates a new journal (fails if it exists) holding `first`, durable with its directory entry. */
  static create(file: string, first: object): JournalAppender {
    const fd = openSync(file, "wx", STATE_FILE_MODE);
    const appender = new JournalAppender(file, fd);
    appender.append(first, true);
    syncDirectory(path.dirname(file));
    return appender;
  }

  /** Opens an existing journal for appending; with `truncate`, first cuts it back to `intactBytes` (a torn tail). */
  static reopen(file: string, intactBytes: number, truncate: boolean): JournalAppender {
    const fd = openSync(file, "a");
    if (process.platform !== "win32") fchmodSync(fd, STATE_FILE_MODE); // one an earlier version created 0644
    if (truncate) {
      ftruncateSync(fd, intactBytes);
      fsyncSync(fd);
    }
    return new JournalAppender(file, fd);
  }

  /** Appends `record`; with `durable`, returns only once it is on disk. */
  append(record: object, durable: boolean): void {
    const fd = this.#open();
    if (this.#failure !== undefined) throw this.#failure;
    const bytes = Buffer.from(encodeRecord(record), "utf8");
    let written = 0;
    try {
      this.#watch.check(fd);
      while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
    } catch (error) {
      if (written > 0) ftruncateSync(fd, fstatSync(fd).size - written); // no half record for a later write to glue onto
      throw (this.#failure = journalWriteError(this.#file, error));
    }
    this.#watch.wrote(bytes.length);
    this.#unsynced = true;
    if (durable) this.sync();
  }

  /** Flushes what was written to disk (a no-op when nothing was written since the last time). */
  sync(): void {
    if (!this.#unsynced || this.#fd === undefined) return;
    try {
      fsyncSync(this.#fd);
    } catch (error) {
      throw (this.#failure = journalWriteError(this.#file, error));
    }
    this.#unsynced = false;
    this.syncs += 1;
  }

  get unsynced(): boolean {
    return this.#unsynced;
  }

  close(): void {
    if (this.#fd === undefined) return;
    try {
      if (this.#failure === undefined) this.sync();
    } finally {
      closeSync(this.#fd);
      this.#fd = undefined;
    }
  }

  #open(): number {
    if (this.#fd === undefined) throw new Error("the journal is closed");
    return this.#fd;
  }
}
