/** A row longer than the record limit is one rejected row: the rows before and after it are read, on their lines. */
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import type { RowResult } from "../../src/model/device.js";
import { readAll } from "../support/device-csv.js";
import { fileTempDir } from "../support/temp-dir.js";
import { ADMIN_HEADER, validHash, writeTemp } from "./helpers.js";

const dir = fileTempDir();
const MB = 1024 * 1024;

/** The line an editor shows `serial`'s row on (CRLF, LF and CR alone each end a line). */
function editorLine(text: string, serial: string): number {
  return text.split(/\r\n|\r|\n/).findIndex((line) => line.startsWith(`${serial},`)) + 1;
}

const summary = (rows: readonly RowResult[]) => rows.map((row) => ({ serial: row.status === "valid" ? row.device.serialNumber : row.serialNumber, line: row.location.line, status: row.status, code: row.status === "valid" ? "" : row.code }));

/** Reads `text` as standard input cut into chunks of `size` bytes. */
function readChunked(text: string, size: number) {
  const bytes = Buffer.from(text);
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, at + size));
  return readAll(["-"], { stdin: Readable.from(chunks) });
}

describe("a row longer than the record limit", () => {
  const before = [`SN-1,,${validHash()},,`, `SN-2,,${validHash()},,`];
  const after = [`SN-4,,${validHash()},,`, `SN-5,,${validHash()},,`];

  it("is rejected on its line with its serial number, and every row after it is read on its line", async () => {
    const text = [ADMIN_HEADER, ...before, `SN-3,,${"Q".repeat(3 * MB)},,`, ...after, ""].join("\r\n");
    const { rows, files } = await readAll([writeTemp(dir, text)]);
    expect(files[0]).toMatchObject({ rows: 5, error: null });
    expect(summary(rows)).toEqual([
      { serial: "SN-1", line: 2, status: "valid", code: "" },
      { serial: "SN-2", line: 3, status: "valid", code: "" },
      { serial: "SN-3", line: 4, status: "invalid", code: "row_too_long" },
      { serial: "SN-4", line: 5, status: "valid", code: "" },
      { serial: "SN-5", line: 6, status: "valid", code: "" },
    ]);
    expect(rows[2]).toMatchObject({ message: "the row is longer than 1 MB (a device row is a few KB): it was skipped to its end" });
  });

  it("a quoted value with line breaks in it that closes megabytes later: the lines after it match an editor's", async () => {
    const value = `"${`${"A".repeat(500)}""\r\n`.repeat(3_000)}x"`; // ~1.5 MB, 3,000 line breaks, escaped quotes
    const text = [ADMIN_HEADER, ...before, `SN-3,,${validHash()},${value},`, ...after, ""].join("\r\n");
    const { rows, files } = await readAll([writeTemp(dir, text)]);
    expect(files[0]).toMatchObject({ rows: 5, error: null });
    expect(summary(rows).map((r) => [r.serial, r.line, r.code])).toEqual([
      ["SN-1", 2, ""],
      ["SN-2", 3, ""],
      ["SN-3", 4, "row_too_long"],
      ["SN-4", editorLine(text, "SN-4"), ""],
      ["SN-5", editorLine(text, "SN-5"), ""],
    ]);
    expect(editorLine(text, "SN-4")).toBe(3_005);
  });

  it("gives the same rows however the input is chunked (line ends and quotes split across chunks)", async () => {
    const text = [ADMIN_HEADER, ...before, `SN-3,,"${"B\r\n".repeat(400_000)}",,`, `"${"C".repeat(2 * MB)}",,`, ...after].join("\r\n");
    const expected = summary((await readChunked(text, 64 * 1024)).rows);
    expect(expected.map((r) => [r.serial, r.code])).toEqual([
      ["SN-1", ""],
      ["SN-2", ""],
      ["SN-3", "row_too_long"],
      ["", "row_too_long"], // the serial is the oversized value: not shown
      ["SN-4", ""],
      ["SN-5", ""],
    ]);
    expect(expected.map((r) => r.line)).toEqual([2, 3, 4, 400_005, 400_006, 400_007]);
    // Odd sizes: chunk ends fall on every byte of the repeated "B\r\n" (a CRLF split) and near the quotes.
    for (const size of [4_093, 4_094, 65_537]) expect(summary((await readChunked(text, size)).rows)).toEqual(expected);
  });

  it("of millions of short fields is cut at the limit too, not held whole", async () => {
    const text = [ADMIN_HEADER, ...before, `SN-3,,${",x".repeat(3 * MB)}`, ...after, ""].join("\n");
    const { rows, files } = await readAll([writeTemp(dir, text)]);
    expect(files[0]).toMatchObject({ rows: 5, error: null });
    expect(summary(rows).map((r) => [r.serial, r.line, r.code])).toEqual([
      ["SN-1", 2, ""],
      ["SN-2", 3, ""],
      ["SN-3", 4, "row_too_long"],
      ["SN-4", 5, ""],
      ["SN-5", 6, ""],
    ]);
  });

  it("at the end of a file without a last line end is still one rejected row", async () => {
    const text = [ADMIN_HEADER, ...before, `SN-3,,${"Q".repeat(2 * MB)}`].join("\n");
    const { rows, files } = await readAll([writeTemp(dir, text)]);
    expect(files[0]).toMatchObject({ rows: 3, error: null });
    expect(summary(rows).map((r) => r.code)).toEqual(["", "", "row_too_long"]);
  });

  it("whose quote never closes: rejected, and the file's error names exactly the lines swallowed", async () => {
    const text = [ADMIN_HEADER, ...before, `SN-3,,"${"Q".repeat(2 * MB)}`, ...after, ""].join("\r\n");
    const { rows, files } = await readAll([writeTemp(dir, text)]);
    expect(summary(rows).map((r) => [r.serial, r.line, r.code])).toEqual([
      ["SN-1", 2, ""],
      ["SN-2", 3, ""],
      ["SN-3", 4, "row_too_long"],
    ]);
    expect(files[0]).toMatchObject({
      rows: 3,
      error: "the quoted value on line 4 (a row rejected as longer than 1 MB) is never closed: lines 5-6 (the end of the file) were inside it and not read as rows",
    });
  });
});
