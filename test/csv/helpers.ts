import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { openDeviceReader } from "../../src/csv/reader.js";
import type { FileSummary, ReaderOptions } from "../../src/csv/types.js";
import type { RowResult } from "../../src/model/device.js";
import { randomHardwareHash } from "../support/fixtures/device-values.js";
import { createRandom } from "../support/fixtures/random.js";

export const FIXTURES = join(import.meta.dirname, "..", "..", "fixtures");

/** A temporary directory removed after the test file. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "autopilot-import-test-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

let counter = 0;
/** Writes `content` to a new file in `dir` and returns its path. */
export function writeTemp(dir: string, content: string | Buffer, name = `input-${++counter}.csv`): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

export interface ReadResult {
  readonly rows: RowResult[];
  readonly files: readonly FileSummary[];
}

export async function readAll(inputs: readonly string[], options?: ReaderOptions): Promise<ReadResult> {
  const reader = openDeviceReader(inputs, options);
  const rows: RowResult[] = [];
  for await (const row of reader.rows()) rows.push(row);
  return { rows, files: reader.files };
}

const random = createRandom(2024);
/** A realistic valid hash (3–4 KB decoded). */
export function validHash(): string {
  return randomHardwareHash(random);
}

export const ADMIN_HEADER = "Device Serial Number,Windows Product ID,Hardware Hash,Group Tag,Assigned User";

export function lineOf(row: RowResult): number {
  return row.location.line;
}
