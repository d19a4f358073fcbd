import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { openDeviceReader } from "../../src/csv/reader.js";
import { writeDeviceCsv } from "../support/fixtures/generate.js";
import { readAll } from "../support/device-csv.js";
import { fileTempDir } from "../support/temp-dir.js";
import { ADMIN_HEADER, validHash, writeTemp } from "./helpers.js";

const dir = fileTempDir();

describe("reader over several inputs", () => {
  it("reads files in order, reports duplicates across them and points at the first occurrence", async () => {
    const hash = validHash();
    const first = writeTemp(dir, `${ADMIN_HEADER}\r\nSN-100,,${hash},,\r\n`, "first.csv");
    const second = writeTemp(dir, `Serial Number,Hardware Hash\r\nsn-100,${validHash()}\r\nSN-101,${hash}\r\n`, "second.csv");
    const { rows, files } = await readAll([first, second]);
    expect(rows.map((row) => [row.location.file, row.location.line, row.status])).toEqual([
      [first, 2, "valid"],
      [second, 2, "duplicate"],
      [second, 3, "duplicate"],
    ]);
    expect(rows[1]).toMatchObject({
      code: "duplicate_serial",
      serialNumber: "sn-100",
      firstSeen: { file: first, line: 2 },
      message: `Serial Number 'sn-100' already appears on line 2 of ${first}; only the first is used`,
    });
    expect(rows[2]).toMatchObject({ code: "duplicate_hash", firstSeen: { file: first, line: 2 } });
    expect(files.map((file) => file.rows)).toEqual([1, 2]);
  });

  it("reads '-' from the given stdin stream", async () => {
    const stdin = Readable.from([Buffer.from(`${ADMIN_HEADER}\n`), Buffer.from(`SN-200,,${validHash()},,\n`)]);
    const { rows, files } = await readAll(["-"], { stdin });
    expect(files).toEqual([{ path: "-", rows: 1, encoding: "utf-8", delimiter: ",", error: null }]);
    expect(rows[0]).toMatchObject({ status: "valid", location: { file: "-", line: 2 } });
  });

  it("gives an error, not an exception, for inputs that cannot be read, and goes on with the next", async () => {
    const folder = join(dir, "a-folder");
    mkdirSync(folder);
    const good = writeTemp(dir, `${ADMIN_HEADER}\nSN-300,,${validHash()},,\n`);
    const { rows, files } = await readAll([join(dir, "missing.csv"), folder, "-", good]);
    expect(files.map((file) => file.error)).toEqual([
      "file not found",
      "is a directory, not a file",
      "standard input is not available (it can be read only once)",
      null,
    ]);
    expect(rows).toHaveLength(1);
  });

  it("resolves relative paths against `cwd` and keeps them as given", async () => {
    writeTemp(dir, `${ADMIN_HEADER}\nSN-301,,${validHash()},,\n`, "relative.csv");
    const { rows, files } = await readAll(["relative.csv"], { cwd: dir });
    expect(files[0]).toMatchObject({ path: "relative.csv", rows: 1, error: null });
    expect(rows[0]?.location.file).toBe("relative.csv");
  });

  it("reports every row read before the file breaks down", async () => {
    const good = Array.from({ length: 40 }, (_, i) => `SN-4${String(i).padStart(2, "0")},,${validHash()},,`);
    const text = `${ADMIN_HEADER}\n${good.join("\n")}\nSN-499,,${validHash()},"Sales,\n`;
    const { rows, files } = await readAll([writeTemp(dir, text)]);
    expect(rows).toHaveLength(40);
    expect(files[0]).toMatchObject({ rows: 40, error: "unterminated quote: a quoted value starting after line 41 is never closed" });
  });

  it("a read error past the first 64 KB: the rows before it keep their results, and the error names the last line read", async () => {
    const rows = Array.from({ length: 30 }, (_, i) => `SN-6${String(i).padStart(2, "0")},,${validHash()},,\r\n`);
    async function* failing(): AsyncGenerator<Buffer> {
      yield Buffer.from(`${ADMIN_HEADER}\r\n`);
      for (const row of rows) yield Buffer.from(row);
      yield Buffer.from("SN-699,,");
      throw Object.assign(new Error("i/o error"), { code: "EIO" });
    }
    const result = await readAll(["-"], { stdin: Readable.from(failing()) });
    expect(result.files[0]).toMatchObject({ rows: 30, error: "cannot read the file (EIO) after line 31" });
    expect(result.rows.map((row) => row.location.line)).toEqual(rows.map((_, i) => i + 2));
  });

  it("rejects a runaway quoted value at the record size limit instead of buffering the file, and names the lines it swallowed", async () => {
    const text = `${ADMIN_HEADER}\nSN-500,,"${"A".repeat(1_200_000)}\nSN-501,,${validHash()},,\nSN-502,,${validHash()},,\n`;
    const { rows, files } = await readAll([writeTemp(dir, text)]);
    expect(rows).toEqual([expect.objectContaining({ status: "invalid", code: "row_too_long", serialNumber: "SN-500", location: expect.objectContaining({ line: 2 }) })]);
    expect(files[0]).toMatchObject({
      rows: 1,
      error: "the quoted value on line 2 (a row rejected as longer than 1 MB) is never closed: lines 3-4 (the end of the file) were inside it and not read as rows",
    });
  });

  it("does not mistake megabytes of blank or empty lines (Excel leftovers) for a runaway record", async () => {
    const text = `${ADMIN_HEADER}\r\nSN-502,,${validHash()},,\r\n${"\r\n".repeat(600_000)}${",,,,\r\n".repeat(300_000)}SN-503,,${validHash()},,\r\n`;
    const { rows, files } = await readAll([writeTemp(dir, text)]);
    expect(files[0]?.error).toBeNull();
    expect(rows.map((row) => [row.location.line, row.status])).toEqual([
      [2, "valid"],
      [900_003, "valid"],
    ]);
  });

  it("reports text after a closing quote with its line", async () => {
    const text = `${ADMIN_HEADER}\nSN-600,,${validHash()},,\nSN-601,,"${validHash()}"x,,\n`;
    const { rows, files } = await readAll([writeTemp(dir, text)]);
    expect(rows).toHaveLength(1);
    expect(files[0]?.error).toMatch(/^malformed quoted value on line 3: text follows the closing quote/);
  });

  it("accounts for every row of a generated file with bad rows, matching the generator's own count", async () => {
    const path = join(dir, "generated.csv");
    const stats = await writeDeviceCsv(path, { rows: 1500, invalidRate: 0.2, seed: 11 });
    const { rows, files } = await readAll([path]);
    const count = (status: string) => rows.filter((row) => row.status === status).length;
    expect({ rows: rows.length, valid: count("valid"), invalid: count("invalid"), duplicates: count("duplicate") }).toEqual({
      rows: stats.rows,
      valid: stats.valid,
      invalid: stats.invalid,
      duplicates: stats.duplicates,
    });
    expect(files[0]?.rows).toBe(1500);
    expect(rows.map((row) => row.location.line)).toEqual(Array.from({ length: 1500 }, (_, i) => i + 2));
  });

  it("can be abandoned half-way and releases the file", async () => {
    const path = join(dir, "abandoned.csv");
    await writeDeviceCsv(path, { rows: 300, seed: 3 });
    const reader = openDeviceReader([path]);
    let seen = 0;
    for await (const _row of reader.rows()) if (++seen === 5) break;
    expect(seen).toBe(5);
    expect(reader.files[0]?.rows).toBe(5);
  });

  it("stops with the abort reason when the signal fires", async () => {
    const path = join(dir, "aborted.csv");
    await writeDeviceCsv(path, { rows: 300, seed: 4 });
    const controller = new AbortController();
    const reader = openDeviceReader([path, path], { signal: controller.signal });
    let seen = 0;
    const consume = async () => {
      for await (const _row of reader.rows()) if (++seen === 10) controller.abort();
    };
    await expect(consume()).rejects.toMatchObject({ name: "AbortError" });
    expect(seen).toBeLessThan(600);
  });

  it("can be iterated only once", async () => {
    const reader = openDeviceReader([]);
    for await (const _row of reader.rows()) throw new Error("no rows expected");
    await expect(reader.rows()[Symbol.asyncIterator]().next()).rejects.toThrow(/only once/);
  });
});
