/**
 * Skips the rest of an oversized record in the bytes that follow it, so that one absurd row (a 50 MB value) is
 * rejected on its own and the rows after it are still read. Follows CSV quoting as csv-parse does (a quote opens a
 * quoted value only at a field's start; `""` inside one is a quote), finds the line end that closes the record, and
 * counts the line breaks it passes as an editor does (CRLF, LF or CR alone: one each), for the lines after it.
 */

const QUOTE = 0x22;
const CR = 0x0d;
const LF = 0x0a;
const SPACE = 0x20;
const TAB = 0x09;

export class RecordSkipper {
  #inQuotes: boolean;
  /** A quote ended the previous chunk inside a quoted value: the next byte tells an escaped quote from a closing one. */
  #quoteAtEnd = false;
  #lastWasCR: boolean;
  /** The last byte outside quotes other than a space or tab: a quote right after the delimiter opens a quoted value. */
  #lastSignificant = 0;
  readonly #delimiter: number;
  /** Line breaks passed so far, inside the skipped bytes. */
  lineBreaks = 0;
  /** The skipped bytes ended with a line break (inside a quoted value). */
  endsWithBreak = false;

  /**
   * `inQuotes`: the record was cut inside a quoted value; `afterCR`: the last byte the parser took was a CR (an LF
   * first here belongs to it); `delimiter`: the file's field delimiter.
   */
  constructor(options: { readonly inQuotes: boolean; readonly afterCR: boolean; readonly delimiter: string }) {
    this.#inQuotes = options.inQuotes;
    this.#lastWasCR = options.afterCR;
    this.#delimiter = options.delimiter.charCodeAt(0);
  }

  /** Still inside a quoted value: at the end of the input, the quote was never closed. */
  get inQuotes(): boolean {
    return this.#inQuotes && !this.#quoteAtEnd;
  }

  /** Where the record's line end starts in `chunk` (the rest belongs to the parser again), or -1: all of it skipped. */
  scan(chunk: Buffer): number {
    let at = 0;
    if (this.#quoteAtEnd) {
      this.#quoteAtEnd = false;
      if (chunk[0] === QUOTE) at = 1; // `""`: an escaped quote, still inside
      else this.#inQuotes = false;
    }
    while (at < chunk.length) {
      if (this.#inQuotes) {
        const quote = chunk.indexOf(QUOTE, at);
        this.#countBreaks(chunk, at, quote === -1 ? chunk.length : quote);
        if (quote === -1) return -1;
        this.endsWithBreak = false;
        if (quote + 1 === chunk.length) {
          this.#quoteAtEnd = true;
          return -1;
        }
        if (chunk[quote + 1] === QUOTE) at = quote + 2;
        else {
          this.#inQuotes = false;
          this.#lastSignificant = QUOTE;
          at = quote + 1;
        }
        continue;
      }
      const end = firstLineBreak(chunk, at);
      const quote = chunk.indexOf(QUOTE, at);
      if (quote === -1 || (end !== -1 && end < quote)) {
        if (end === -1) this.#noteSignificant(chunk, at, chunk.length);
        return end;
      }
      this.#noteSignificant(chunk, at, quote);
      // A quote opens a quoted value only where a field starts; elsewhere it is text (csv-parse's relax_quotes).
      this.#inQuotes = this.#lastSignificant === this.#delimiter;
      this.#lastSignificant = QUOTE;
      at = quote + 1;
    }
    return -1;
  }

  #noteSignificant(chunk: Buffer, from: number, to: number): void {
    for (let i = to - 1; i >= from; i--) {
      const byte = chunk[i] as number;
      if (byte !== SPACE && byte !== TAB) {
        this.#lastSignificant = byte;
        return;
      }
    }
  }

  /** Counts line breaks in chunk[from, to): CRLF, CR and LF one each, a pair split across chunks once. */
  #countBreaks(chunk: Buffer, from: number, to: number): void {
    for (let i = from; i < to; i++) {
      const byte = chunk[i];
      if (byte === CR) this.lineBreaks++;
      else if (byte === LF && !this.#lastWasCR) this.lineBreaks++;
      this.#lastWasCR = byte === CR;
      this.endsWithBreak = byte === CR || byte === LF;
    }
  }
}

/** The first CR or LF at or after `from`, or -1. */
function firstLineBreak(chunk: Buffer, from: number): number {
  const cr = chunk.indexOf(CR, from);
  const lf = chunk.indexOf(LF, from);
  if (cr === -1) return lf;
  if (lf === -1) return cr;
  return Math.min(cr, lf);
}
