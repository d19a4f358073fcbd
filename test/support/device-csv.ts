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

/** Reads a CSV report back as rows. */
export function readCsvReport(file: string): Array<Record<keyof ImportReportRow, string>> {
  return parse(readFileSync(file), { columns: true, skip_empty_lines: true }) as Array<Record<keyof ImportReportRow, string>>;
}

/** Report rows by serial number. */
export function bySerial<T extends { serialNumber: string }>(rows: readonly T[]): Record<string, T> {
  return Object.fromEntries(rows.map((row) => [row.serialNumber, row]));
}
