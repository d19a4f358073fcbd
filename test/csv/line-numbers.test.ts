import { describe, expect, it } from "vitest";
import { readAll } from "../support/device-csv.js";
import { fileTempDir } from "../support/temp-dir.js";
import { ADMIN_HEADER, lineOf, validHash, writeTemp } from "./helpers.js";

const dir = fileTempDir();

describe("line numbers", () => {
  it("give the line a record starts on, across blank lines and values spanning lines", async () => {
    const lines = [
      ADMIN_HEADER, // 1
      `SN-1,,${validHash()},,`, // 2
      "", // 3
      `SN-2,,${validHash()},"Multi`, // 4
      `line`, // 5
      `tag",`, // 6
      `SN-3,,${validHash()},"a\r`, // 7: CR, then the CRLF the lines are joined with: two line ends
      `b",`, // 8-9
      `SN-4,,${validHash()},,`, // 10
    ];
    const { rows } = await readAll([writeTemp(dir, lines.join("\r\n"))]);
    expect(rows.map(lineOf)).toEqual([2, 4, 7, 10]);
  });

  it("count lone CR and LF line ends like CRLF", async () => {
    const text = `${ADMIN_HEADER}\rSN-5,,${validHash()},,\nSN-6,,${validHash()},,\r\n\rSN-7,,${validHash()},,`;
    const { rows } = await readAll([writeTemp(dir, text)]);
    expect(rows.map(lineOf)).toEqual([2, 3, 5]);
  });

  it("count a header preceded by blank lines and a byte-order mark", async () => {
    const text = `\uFEFF\r\n\r\n${ADMIN_HEADER}\r\nSN-8,,${validHash()},,\r\n`;
    const { rows } = await readAll([writeTemp(dir, text)]);
    expect(rows.map(lineOf)).toEqual([4]);
  });

  it("count UTF-16 files by characters, not bytes", async () => {
    const text = `\uFEFF${ADMIN_HEADER}\r\nSN-9,,${validHash()},,\r\n\r\nSN-10,,${validHash()},,\r\n`;
    const { rows, files } = await readAll([writeTemp(dir, Buffer.from(text, "utf16le"))]);
    expect(files[0]?.encoding).toBe("utf-16le");
    expect(rows.map(lineOf)).toEqual([2, 4]);
  });
});
