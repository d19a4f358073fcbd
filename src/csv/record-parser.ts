import type { TransformCallback } from "node:stream";
import { Parser } from "csv-parse";
import type { Delimiter } from "./delimiter.js";
import { RecordSkipper } from "./record-skipper.js";

/** Longest record accepted (bytes of values): ~300× a real row; past it, the rest of the record is skipped. */
export const MAX_RECORD_BYTES = 1024 * 1024;

/** The line ends a file uses, as seen on its header line. */
export type LineEnd = "\r\n" | "\n" | "\r";

/** Raised when a record runs past MAX_RECORD_BYTES. */
export class RecordTooLongError extends Error {
  constructor() {
    super(`a record is longer than ${MAX_RECORD_BYTES} bytes`);
    this.name = "RecordTooLongError";
  }
}

/** Raised at the end of the input when an oversized record's quoted value never closed: what followed it was swallowed. */
export class OversizedQuoteNotClosedError extends Error {
  constructor(
    /** Line breaks inside the skipped part of the value, counted as an editor does. */
    readonly lineBreaks: number,
    /** The input's last byte was a line break. */
    readonly endsWithBreak: boolean,
  ) {
    super("a quoted value longer than the record limit is never closed");
    this.name = "OversizedQuoteNotClosedError";
  }
}

/**
 * What the record parser yields: a record with the line csv-parse has reached, or, last, why parsing stopped. An
 * `oversized` record is the start of one longer than MAX_RECORD_BYTES: the fields read so far, the last one cut.
 */
export type ParsedItem = { readonly record: string[]; readonly lines: number; readonly oversized?: true } | { readonly failure: Error };

/**
 * The parts of csv-parse's internals this changes while parsing (csv-parse 6): the state the skip resets
 * (`api.state`, `__resetField`, `__resetRecord`), the line counter, and the record delimiters, read at each chunk.
 */
interface ParserInternals {
  readonly api: { __resetField(): void; __resetRecord(): void };
  readonly info: { lines: number };
  readonly options: { record_delimiter: Buffer[] };
  readonly state: { quoting: boolean; escaping: boolean; commenting: boolean; previousBuf: Buffer | undefined; record: string[]; field: { toString(encoding?: string): string } };
}

/**
 * csv-parse, with four changes:
 * - each record comes with `info.lines` read at the moment csv-parse emits it: cheaper than its `info` option,
 *   which copies its whole info object twice per record;
 * - a parse error arrives as a final `{ failure }` item instead of destroying the stream: a destroyed stream's async
 *   iterator drops the records still buffered, and every row before the error must be reported;
 * - the record size limit is checked once per chunk, not per byte as csv-parse's `max_record_size` does: its hot
 *   loop is most of the reader's time. A record that does not end (no record or blank line ends) within more
 *   than MAX_RECORD_BYTES of input is yielded `oversized` as far as it was read, and the rest of it is skipped
 *   (RecordSkipper): one absurd row is one rejected row, and the rows after it are read. Field ends are no progress:
 *   a row of millions of empty fields would otherwise be held whole (hundreds of MB);
 * - CR alone ends a record too, in every file: a stray CR in a CRLF file is a line break in Excel and in editors,
 *   so it must not join two rows, and line numbers must match what an editor shows. Each record delimiter costs a
 *   comparison per byte in csv-parse's loop, so CR alone joins CRLF and LF from the first chunk that holds one
 *   (a native search per chunk), not before.
 */
export class RecordParser extends Parser {
  #failed = false;
  #progress = -1;
  #sinceProgress = 0;
  #skipper: RecordSkipper | undefined;
  #loneCrEndsRecords = false;
  readonly #delimiter: Delimiter;

  constructor(delimiter: Delimiter) {
    super({
      delimiter,
      bom: false, // the transcoder has removed it
      // CRLF and LF both, so that a file appended to by another tool still splits; CR alone is added when one comes.
      record_delimiter: ["\r\n", "\n"],
      trim: true,
      relax_quotes: true, // a stray quote inside an unquoted value is kept as text; the validator judges it
      relax_column_count: true, // short and long rows are judged per row
      skip_empty_lines: true,
    });
    this.#delimiter = delimiter;
  }

  override push(chunk: unknown, encoding?: BufferEncoding): boolean {
    // csv-parse pushes each record as a string array; null ends the stream; the other items are ours.
    return super.push(Array.isArray(chunk) ? ({ record: chunk as string[], lines: this.info.lines } satisfies ParsedItem) : chunk, encoding);
  }

  override _transform(chunk: Buffer, encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.#failed) return callback(); // drain: the consumer stops at the failure item
    let rest = chunk;
    if (this.#skipper) {
      const end = this.#skipper.scan(chunk);
      if (end === -1) return callback();
      this.#endSkip();
      rest = chunk.subarray(end);
    }
    if (!this.#loneCrEndsRecords && hasLoneCr(rest)) {
      // Before csv-parse sees the chunk: a CR it holds back at a chunk's end counts as lone (searched here) too.
      (this as unknown as ParserInternals).options.record_delimiter.push(Buffer.from("\r"));
      this.#loneCrEndsRecords = true;
    }
    super._transform(rest, encoding, (error) => {
      if (!error && this.#overLimit(rest.length)) this.#startSkip();
      this.#settle(error, callback);
    });
  }

  #overLimit(bytes: number): boolean {
    const { empty_lines, records } = this.info;
    const progress = empty_lines + records;
    this.#sinceProgress = progress === this.#progress ? this.#sinceProgress + bytes : 0;
    this.#progress = progress;
    return this.#sinceProgress > MAX_RECORD_BYTES;
  }

  /** Yields the record as far as it was read, clears it from csv-parse, and skips to its end. */
  #startSkip(): void {
    const { api, state } = this as unknown as ParserInternals;
    const cut = state.field.toString("utf8");
    super.push({ record: [...state.record, cut], lines: this.info.lines, oversized: true } satisfies ParsedItem);
    const skipper = new RecordSkipper({ inQuotes: state.quoting, afterCR: cut.endsWith("\r"), delimiter: this.#delimiter });
    const held = state.previousBuf; // the last bytes csv-parse kept back to look ahead: part of the record, or its end
    api.__resetField();
    api.__resetRecord();
    state.quoting = false;
    state.escaping = false;
    state.commenting = false;
    state.previousBuf = undefined;
    this.#skipper = skipper;
    this.#sinceProgress = 0;
    if (held === undefined) return;
    const end = skipper.scan(held);
    if (end === -1) return;
    this.#endSkip();
    state.previousBuf = held.subarray(end); // parsed first with the next chunk
  }

  /** The record's line end is found: what was skipped is counted, csv-parse goes on from the line end. */
  #endSkip(): void {
    (this as unknown as ParserInternals).info.lines += (this.#skipper as RecordSkipper).lineBreaks;
    this.#skipper = undefined;
  }

  override _flush(callback: TransformCallback): void {
    if (this.#failed) return callback();
    const skipper = this.#skipper;
    if (skipper) {
      this.#skipper = undefined;
      if (skipper.inQuotes) return this.#settle(new OversizedQuoteNotClosedError(skipper.lineBreaks, skipper.endsWithBreak), callback);
    }
    super._flush((error) => this.#settle(error, callback));
  }

  #settle(error: Error | null | undefined, callback: TransformCallback): void {
    if (error) {
      this.#failed = true;
      this.push({ failure: error } satisfies ParsedItem);
    }
    callback();
  }
}

/** `bytes` holds a CR not followed by LF (a CR as the last byte counts: its LF may never come). */
function hasLoneCr(bytes: Buffer): boolean {
  for (let at = bytes.indexOf(0x0d); at !== -1; at = bytes.indexOf(0x0d, at + 1)) if (bytes[at + 1] !== 0x0a) return true;
  return false;
}
