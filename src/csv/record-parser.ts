import type { TransformCallback } from "node:stream";
import { Parser } from "csv-parse";
import type { Delimiter } from "./delimiter.js";

/** Longest record accepted (bytes of values): ~300× a real row; past it, an unclosed quote is swallowing the file. */
export const MAX_RECORD_BYTES = 1024 * 1024;

/** What the record parser yields: a record with the line csv-parse has reached, or, last, why parsing stopped. */
export type ParsedItem =
  | { readonly record: string[]; readonly info: { readonly lines: number } }
  | { readonly failure: Error };

/**
 * csv-parse, except that a parse error arrives as a final `{ failure }` item instead of destroying the stream.
 * A destroyed stream's async iterator drops the records still buffered, and every row before the error must be
 * reported.
 */
export class RecordParser extends Parser {
  #failed = false;

  constructor(delimiter: Delimiter) {
    super({
      delimiter,
      info: true,
      bom: false, // the transcoder has removed it
      record_delimiter: ["\r\n", "\n", "\r"], // fixed, so that files appended to with other line ends still split
      trim: true,
      relax_quotes: true, // a stray quote inside an unquoted value is kept as text; the validator judges it
      relax_column_count: true, // short and long rows are judged per row
      skip_empty_lines: true,
      skip_records_with_empty_values: true, // `,,,,` lines (Excel leftovers) carry no device
      max_record_size: MAX_RECORD_BYTES,
    });
  }

  override _transform(chunk: Buffer, encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.#failed) return callback(); // drain: the consumer stops at the failure item
    super._transform(chunk, encoding, (error) => this.#settle(error, callback));
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
