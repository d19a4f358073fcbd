import type { TransformCallback } from "node:stream";
import { Parser } from "csv-parse";
import type { Delimiter } from "./delimiter.js";

/** Longest record accepted (bytes of values): ~300× a real row; past it, an unclosed quote is swallowing the file. */
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

/** What the record parser yields: a record with the line csv-parse has reached, or, last, why parsing stopped. */
export type ParsedItem = { readonly record: string[]; readonly lines: number } | { readonly failure: Error };

/**
 * csv-parse, with three changes:
 * - each record comes with `info.lines` read at the moment csv-parse emits it: cheaper than its `info` option,
 *   which copies its whole info object twice per record;
 * - a parse error arrives as a final `{ failure }` item instead of destroying the stream: a destroyed stream's async
 *   iterator drops the records still buffered, and every row before the error must be reported;
 * - the record size limit is checked once per chunk, not per byte as csv-parse's `max_record_size` does: its hot
 *   loop is most of the reader's time. A record that makes no progress (no field, record or blank line ends) for
 *   more than MAX_RECORD_BYTES of input fails with RecordTooLongError.
 */
export class RecordParser extends Parser {
  #failed = false;
  #progress = -1;
  #sinceProgress = 0;

  constructor(delimiter: Delimiter, lineEnd: LineEnd | null) {
    super({
      delimiter,
      bom: false, // the transcoder has removed it
      // CRLF and LF both, so that a file appended to by another tool still splits. Each candidate costs a comparison
      // per byte in csv-parse's loop, so lone CR joins them only when the header line ends with one (old Mac files).
      record_delimiter: lineEnd === "\r" ? ["\r\n", "\n", "\r"] : ["\r\n", "\n"],
      trim: true,
      relax_quotes: true, // a stray quote inside an unquoted value is kept as text; the validator judges it
      relax_column_count: true, // short and long rows are judged per row
      skip_empty_lines: true,
    });
  }

  override push(chunk: unknown, encoding?: BufferEncoding): boolean {
    // csv-parse pushes each record as a string array; null ends the stream; the failure item is ours.
    return super.push(Array.isArray(chunk) ? ({ record: chunk as string[], lines: this.info.lines } satisfies ParsedItem) : chunk, encoding);
  }

  override _transform(chunk: Buffer, encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.#failed) return callback(); // drain: the consumer stops at the failure item
    super._transform(chunk, encoding, (error) => this.#settle(error ?? this.#checkProgress(chunk.length), callback));
  }

  #checkProgress(bytes: number): Error | undefined {
    const { bytes: parsed, empty_lines, records } = this.info;
    const progress = parsed + empty_lines + records;
    this.#sinceProgress = progress === this.#progress ? this.#sinceProgress + bytes : 0;
    this.#progress = progress;
    return this.#sinceProgress > MAX_RECORD_BYTES ? new RecordTooLongError() : undefined;
  }

  override _flush(callback: TransformCallback): void {
    if (this.#failed) return callback();
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
