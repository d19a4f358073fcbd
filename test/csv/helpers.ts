import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { RowResult } from "../../src/model/device.js";
import { randomHardwareHash } from "../support/fixtures/device-values.js";
import { createRandom } from "../support/fixtures/random.js";

export const FIXTURES = join(import.meta.dirname, "..", "..", "fixtures");

let counter = 0;
/** Writes `content` to a new file in `dir` and returns its path. */
export function writeTemp(dir: string, content: string | Buffer, name = `input-${++counter}.csv`): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
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
