import { describe, expect, it } from "vitest";
import { RecordSkipper } from "../../src/csv/record-skipper.js";

/** Scans `parts` in order; the chunk index and offset where the record's line end starts, or null. */
function skip(parts: readonly string[], options: { inQuotes?: boolean; afterCR?: boolean } = {}) {
  const skipper = new RecordSkipper({ inQuotes: options.inQuotes ?? false, afterCR: options.afterCR ?? false, delimiter: "," });
  for (const [index, part] of parts.entries()) {
    const end = skipper.scan(Buffer.from(part));
    if (end !== -1) return { index, end, lineBreaks: skipper.lineBreaks, inQuotes: skipper.inQuotes };
  }
  return { index: null, end: -1, lineBreaks: skipper.lineBreaks, inQuotes: skipper.inQuotes, endsWithBreak: skipper.endsWithBreak };
}

describe("RecordSkipper", () => {
  it("ends an unquoted record at its first CR or LF, whichever comes first", () => {
    expect(skip(["AAAA", "AA\r\nnext"])).toMatchObject({ index: 1, end: 2, lineBreaks: 0 });
    expect(skip(["AAAA\nnext\r\n"])).toMatchObject({ index: 0, end: 4 });
    expect(skip(["AA\rnext"])).toMatchObject({ index: 0, end: 2 });
  });

  it("keeps a quote inside an unquoted value as text, but follows a quoted value that starts a later field", () => {
    expect(skip(['AA"A\r\n'])).toMatchObject({ index: 0, end: 4 });
    // The line break inside the quoted tag is part of the record; its line end comes after the closing quote.
    expect(skip(['AAA, "a\r\nb""c\nd",x\r\nnext'])).toMatchObject({ index: 0, end: 18, lineBreaks: 2 });
  });

  it("finds the closing quote of a value cut inside its quotes, with an escaped quote split across chunks", () => {
    expect(skip(['AA"', '"\r\nA"', ",tag\r\n"], { inQuotes: true })).toMatchObject({ index: 2, end: 4, lineBreaks: 1 });
    // A closing quote as a chunk's last byte: the next byte (not a quote) decides it closed.
    expect(skip(['AA\rA"', "\r\n"], { inQuotes: true })).toMatchObject({ index: 1, end: 0, lineBreaks: 1 });
  });

  it("counts CRLF split across chunks once, and an LF right after the parser's CR not at all", () => {
    expect(skip(["A\r", "\nB\n", 'C"\n'], { inQuotes: true })).toMatchObject({ index: 2, end: 2, lineBreaks: 2 });
    expect(skip(['\nA"\r\n'], { inQuotes: true, afterCR: true })).toMatchObject({ index: 0, end: 3, lineBreaks: 0 });
  });

  it("says when the input ended inside the quotes, and whether on a line break", () => {
    expect(skip(["AA\r\nB\r\n"], { inQuotes: true })).toEqual({ index: null, end: -1, lineBreaks: 2, inQuotes: true, endsWithBreak: true });
    expect(skip(['AA"'], { inQuotes: true })).toMatchObject({ index: null, inQuotes: false });
  });
});
