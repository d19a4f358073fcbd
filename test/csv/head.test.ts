import { describe, expect, it } from "vitest";
import { detectDelimiter } from "../../src/csv/delimiter.js";
import { HEAD_BYTES, inspectHead, type Head } from "../../src/csv/head.js";

const head = (bytes: Buffer, ended = true): Head => ({ chunks: [bytes], length: bytes.length, ended });

describe("delimiter detection from the header line", () => {
  it.each([
    ["Device Serial Number,Windows Product ID,Hardware Hash", ","],
    ["Device Serial Number;Windows Product ID;Hardware Hash", ";"],
    ["Device Serial Number\tWindows Product ID\tHardware Hash", "\t"],
    ['"Serial;Number",Hardware Hash', ","],
    ['"Serial,Number";"Hardware,Hash";Tag', ";"],
    ["SerialNumber", ","],
  ])("%j → %j", (line, delimiter) => {
    expect(detectDelimiter(line)).toBe(delimiter);
  });
});

describe("head inspection", () => {
  it("reports an empty file", () => {
    expect(inspectHead(head(Buffer.alloc(0)))).toEqual({ ok: false, encoding: null, error: "the file is empty" });
  });

  it("reports a file of blank lines, including one with only a byte-order mark", () => {
    expect(inspectHead(head(Buffer.from(" \r\n\r\n\t\n")))).toMatchObject({ ok: false, error: "the file has no header line (it holds only blank lines)" });
    expect(inspectHead(head(Buffer.from([0xef, 0xbb, 0xbf])))).toMatchObject({ ok: false, encoding: "utf-8-bom", error: /no header line/ });
  });

  it("reports binary data, and UTF-16 without a byte-order mark, as not CSV", () => {
    const zip = Buffer.concat([Buffer.from("PK\u0003\u0004"), Buffer.alloc(100, 0)]);
    expect(inspectHead(head(zip))).toMatchObject({ ok: false, encoding: null, error: /NUL bytes/ });
    expect(inspectHead(head(Buffer.from("Device Serial Number,Hardware Hash\r\n", "utf16le")))).toMatchObject({ ok: false, error: /UTF-16 text without a byte-order mark/ });
    const controls = Buffer.from(Array.from({ length: 200 }, (_, i) => (i % 10 === 0 ? 0x07 : 0x41)));
    expect(inspectHead(head(controls))).toMatchObject({ ok: false, error: "the file contains binary data, not CSV text" });
  });

  it("refuses a first line longer than the head", () => {
    const long = Buffer.alloc(HEAD_BYTES, 0x41);
    expect(inspectHead(head(long, false))).toMatchObject({ ok: false, error: /no line break in the first 64 KB/ });
  });

  it("skips leading blank lines and detects the delimiter of the first real line", () => {
    expect(inspectHead(head(Buffer.from("\r\n  \r\nSerial;Hash\r\na;b\r\n")))).toEqual({ ok: true, encoding: "utf-8", delimiter: ";", lineEnd: "\r\n" });
  });

  it.each([
    ["\r\n", "\r\n"],
    ["\n", "\n"],
    ["\r", "\r"],
  ])("reports the header line's line end %j", (end, lineEnd) => {
    expect(inspectHead(head(Buffer.from(`Serial,Hash${end}a,b${end}`)))).toMatchObject({ ok: true, lineEnd });
  });

  it("accepts a header-only file without a final line break", () => {
    expect(inspectHead(head(Buffer.from("Serial\tHash")))).toEqual({ ok: true, encoding: "utf-8", delimiter: "\t", lineEnd: null });
  });
});
