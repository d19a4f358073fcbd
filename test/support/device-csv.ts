/** Device CSV files as tests write them (admin-center layout), read back through the reader, and reports read back. */
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parse } from "csv-parse/sync";
import { openDeviceReader } from "../../src/csv/reader.js";
import type { FileSummary, ReaderOptions } from "../../src/csv/types.js";
import type { RowResult } from "../../src/model/device.js";
import type { ImportReportRow } from "../../src/pipeline/types.js";

/** A realistic hash: padded base64 of random bytes (a few hundred, to keep tests light). */
export function makeHash(bytes = 300): string {
  return randomBytes(bytes).toString("base64");
}

export interface CsvDevice {
  readonly serial: string;
  readonly hash: string;
  readonly groupTag?: string;
}

/** Writes an admin-center style CSV; returns its path. Line n+1 holds device n (line 1 is the header). */
export function writeCsv(dir: string, name: string, devices: readonly CsvDevice[]): string {
  const lines = ["Device Serial Number,Windows Product ID,Hardware Hash,Group Tag", ...devices.map((d) => `${d.serial},,${d.hash},${d.groupTag ?? ""}`)];
  const file = path.join(dir, name);
  writeFileSync(file, `${lines.join("\r\n")}\r\n`);
  return file;
}

export function devicesNamed(prefix: string, count: number): CsvDevice[] {
  return Array.from({ length: count }, (_, i) => ({ serial: `${prefix}${String(i).padStart(5, "0")}`, hash: makeHash() }));
}

export interface ReadResult {
  readonly rows: RowResult[];
  readonly files: readonly FileSummary[];
}

/** Every row the reader gives for `inputs`, and its summary of each file. */
export async function readAll(inputs: readonly string[], options?: ReaderOptions): Promise<ReadResult> {
  const reader = openDeviceReader(inputs, options);
  const rows: RowResult[] = [];
  for await (const row of reader.rows()) rows.push(row);
  return { rows, files: reader.files };
}

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * Reads a CSV report back as Excel does: the UTF-8 BOM must be there (without it Excel reads ANSI), the bytes after it
 * are decoded as UTF-8, records end in CRLF and fields are split by `delimiter`.
 */
export function readExcelCsv(file: string, delimiter: "," | ";" | "\t" = ","): Array<Record<string, string>> {
  const bytes = readFileSync(file);
  if (!bytes.subarray(0, 3).equals(UTF8_BOM)) throw new Error(`${file} does not start with the UTF-8 byte order mark`);
  const text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  return parse(text, { columns: true, skip_empty_lines: true, delimiter, record_delimiter: "\r\n" }) as Array<Record<string, string>>;
}

/** Reads an import report (CSV) back as rows, as Excel would. */
export function readCsvReport(file: string, delimiter: "," | ";" | "\t" = ","): Array<Record<keyof ImportReportRow, string>> {
  return readExcelCsv(file, delimiter) as Array<Record<keyof ImportReportRow, string>>;
}

/** Report rows by serial number. */
export function bySerial<T extends { serialNumber: string }>(rows: readonly T[]): Record<string, T> {
  return Object.fromEntries(rows.map((row) => [row.serialNumber, row]));
}
