import { Readable } from "node:stream";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readAll } from "../support/device-csv.js";
import { ADMIN_HEADER, validHash } from "./helpers.js";

/** Reads `bytes` as stdin, delivered in chunks cut at `cuts` (fractions of the length). */
async function readBytes(bytes: Uint8Array, cuts: readonly number[] = []) {
  const points = [...new Set(cuts.map((cut) => Math.floor(cut * bytes.length)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const point of [...points, bytes.length]) {
    if (point > from) chunks.push(Buffer.from(bytes.subarray(from, point)));
    from = Math.max(from, point);
  }
  return readAll(["-"], { stdin: Readable.from(chunks) });
}

function checkConsistent({ rows, files }: Awaited<ReturnType<typeof readBytes>>): void {
  const [file] = files;
  expect(file?.rows).toBe(rows.length);
  const lines = rows.map((row) => row.location.line);
  lines.forEach((line, i) => expect(line).toBeGreaterThan(i === 0 ? 1 : (lines[i - 1] as number)));
  for (const row of rows) {
    if (row.status === "valid") continue;
    expect(row.message.length).toBeGreaterThan(0);
    expect(row.message).not.toMatch(/\n|ZodError|"code":/);
  }
}

const cuts = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 6 });
const boms = fc.constantFrom([], [0xef, 0xbb, 0xbf], [0xff, 0xfe], [0xfe, 0xff]);

describe("arbitrary bytes", () => {
  it("never crash the reader, and every row yielded is counted in order", async () => {
    await fc.assert(
      fc.asyncProperty(boms, fc.uint8Array({ maxLength: 3000 }), cuts, async (bom, body, at) => {
        checkConsistent(await readBytes(Buffer.concat([Buffer.from(bom), body]), at));
      }),
      { numRuns: 300 },
    );
  });

  it("give the same result however the stream is chunked", async () => {
    await fc.assert(
      fc.asyncProperty(boms, fc.uint8Array({ maxLength: 2000 }), cuts, async (bom, body, at) => {
        const bytes = Buffer.concat([Buffer.from(ADMIN_HEADER + "\n"), Buffer.from(bom), body]);
        expect(await readBytes(bytes, at)).toEqual(await readBytes(bytes));
      }),
      { numRuns: 200 },
    );
  });
});

// --- CSV-ish text with a known number of rows ---------------------------------------------------------------------

const hashes = Array.from({ length: 4 }, () => validHash());
const value = fc.oneof(
  fc.constant(""),
  fc.constantFrom(...hashes),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: fc.constantFrom("a", "Z", "9", " ", ",", ";", '"', "\r", "\n", "\t", "é", "😀", "="), maxLength: 10 }),
);
const record = fc.array(value, { minLength: 1, maxLength: 7 });
/** CRLF, LF and CR alone, mixed at will (stray CRs in a CRLF file), or CR alone throughout (old Mac files). */
const lineEnds = fc.oneof(fc.array(fc.constantFrom("\n", "\r\n", "\r"), { minLength: 1, maxLength: 3 }), fc.constant(["\r"]));

interface Sample {
  readonly text: string;
  readonly lines: readonly number[];
}

/** Serializes records the way a careful writer would, and computes the line each data row starts on. */
function serialize(delimiter: string, records: readonly (readonly string[])[], ends: readonly string[], blanks: readonly number[], quoteAll: boolean): Sample {
  const needsQuotes = (v: string) => quoteAll || v.includes(delimiter) || /["\r\n]|^[\s\f]|[\s\f]$/.test(v);
  const field = (v: string) => (needsQuotes(v) ? `"${v.replace(/"/g, '""')}"` : v);
  let text = ADMIN_HEADER.split(",").join(delimiter) + (ends[0] ?? "\n");
  const lines: number[] = [];
  records.forEach((values, i) => {
    text += (ends[i % ends.length] ?? "\n").repeat(blanks[i % blanks.length] ?? 0);
    // A record whose values are all blank (white space at most) carries no device: like a blank line, not a row.
    if (values.some((v) => v.trim() !== "")) lines.push(1 + (text.match(/\r\n|\r|\n/g)?.length ?? 0));
    text += values.map(field).join(delimiter) + (ends[i % ends.length] ?? "\n");
  });
  return { text, lines };
}

const encode: Record<string, (text: string) => Buffer> = {
  "utf-8": (text) => Buffer.from(text, "utf8"),
  "utf-8-bom": (text) => Buffer.from(`\uFEFF${text}`, "utf8"),
  "utf-16le": (text) => Buffer.from(`\uFEFF${text}`, "utf16le"),
  "utf-16be": (text) => Buffer.from(`\uFEFF${text}`, "utf16le").swap16(),
};

describe("arbitrary CSV-ish text", () => {
  it("yields exactly one result per data row, on the line it starts, in any encoding and chunking", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(",", ";", "\t"),
        fc.array(record, { maxLength: 25 }),
        lineEnds,
        fc.array(fc.nat(2), { minLength: 1, maxLength: 3 }),
        fc.boolean(),
        fc.constantFrom(...Object.keys(encode)),
        cuts,
        async (delimiter, records, ends, blanks, quoteAll, encoding, at) => {
          const sample = serialize(delimiter, records, ends, blanks, quoteAll);
          const result = await readBytes((encode[encoding] as (t: string) => Buffer)(sample.text), at);
          checkConsistent(result);
          expect(result.files[0]).toMatchObject({ error: null, delimiter, encoding, rows: sample.lines.length });
          expect(result.rows.map((row) => row.location.line)).toEqual(sample.lines);
          const counts = { valid: 0, invalid: 0, duplicate: 0 };
          for (const row of result.rows) counts[row.status]++;
          expect(counts.valid + counts.invalid + counts.duplicate).toBe(sample.lines.length);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("counts the lines of a skipped blank record too (a quoted CRLF in a CR file, found by the property above)", async () => {
    const sample = serialize(",", [["\r\n"], [hashes[0] as string]], ["\r"], [0], false);
    const result = await readBytes(Buffer.from(sample.text, "utf8"));
    expect(sample.lines).toEqual([4]);
    expect(result.rows.map((row) => row.location.line)).toEqual([4]);
  });
});
