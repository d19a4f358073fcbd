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

  it("end a row at a lone CR in a CRLF file (as Excel and editors do): several of them, every later line as an editor shows it", async () => {
    const row = (n: number) => `SN-${n},,${validHash()},,`;
    // Stray CRs: between two rows, doubled, inside a quoted value, and right before a CRLF.
    const text = `${ADMIN_HEADER}\r\n${row(20)}\r${row(21)}\r\n${row(22)}\r\r${row(23)}\r\n${row(24).slice(0, -1)}"a\rb"\r\n${row(25)}\r\r\n${row(26)}\r\n`;
    const { rows, files } = await readAll([writeTemp(dir, text)]);
    const editor = text.split(/\r\n|\r|\n/);
    const expected = [20, 21, 22, 23, 24, 25, 26].map((n) => editor.findIndex((line) => line.startsWith(`SN-${n},`)) + 1);
    expect(expected).toEqual([2, 3, 4, 6, 7, 9, 11]);
    expect(files[0]).toMatchObject({ rows: 7, error: null });
    expect(rows.map((r) => [r.status === "valid" ? r.device.serialNumber : r.serialNumber, lineOf(r)])).toEqual([20, 21, 22, 23, 24, 25, 26].map((n, i) => [`SN-${n}`, expected[i]]));
    // No row merged into another: each is whole (SN-24's group tag holds a line break, which the validator refuses).
    expect(rows.map((r) => r.status)).toEqual(["valid", "valid", "valid", "valid", "invalid", "valid", "valid"]);
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
