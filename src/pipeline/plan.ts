/** `--dry-run`: what an import would submit, computed from the rows alone (no Graph, no credentials). */
import type { RowResult } from "../model/device.js";
import { UploadBatcher } from "./batcher.js";
import type { Upload } from "./types.js";

export interface PlannedRow {
  readonly file: string;
  readonly line: number;
  readonly serialNumber: string;
}

export interface PlannedUpload {
  /** 1-based, in submission order. */
  readonly index: number;
  readonly size: number;
  readonly first: PlannedRow;
  readonly last: PlannedRow;
}

export interface ImportPlan {
  readonly rows: number;
  readonly valid: number;
  readonly invalid: number;
  readonly duplicates: number;
  readonly batchSize: number;
  readonly uploads: readonly PlannedUpload[];
}

function describe(upload: Upload, index: number): PlannedUpload {
  const at = (i: number): PlannedRow => {
    const d = upload.devices[i]!;
    return { file: d.location.file, line: d.location.line, serialNumber: d.device.serialNumber };
  };
  return { index, size: upload.size, first: at(0), last: at(upload.devices.length - 1) };
}

/** Reads every row and groups the valid ones exactly as importDevices would; keeps only each upload's ends. */
export async function planUploads(rows: AsyncIterable<RowResult>, batchSize: number): Promise<ImportPlan> {
  const batcher = new UploadBatcher({ batchSize, newId: () => "", now: () => 0 });
  const uploads: PlannedUpload[] = [];
  let total = 0;
  let valid = 0;
  let invalid = 0;
  let duplicates = 0;
  for await (const row of rows) {
    total += 1;
    if (row.status === "invalid") invalid += 1;
    else if (row.status === "duplicate") duplicates += 1;
    else {
      valid += 1;
      const upload = batcher.add({ location: row.location, device: row.device });
      if (upload) uploads.push(describe(upload, uploads.length + 1));
    }
  }
  const last = batcher.flush();
  if (last) uploads.push(describe(last, uploads.length + 1));
  return { rows: total, valid, invalid, duplicates, batchSize, uploads };
}

/** The plan for people: counts, then each upload's size and first/last rows (the first and last few when many). */
export function formatPlan(plan: ImportPlan, shown = 10): string {
  const row = (r: PlannedRow): string => `${r.file}:${r.line} (${r.serialNumber})`;
  const lines = [
    `dry run: ${plan.rows} rows, ${plan.valid} valid, ${plan.invalid} invalid, ${plan.duplicates} duplicates`,
    `would submit ${plan.valid} devices in ${plan.uploads.length} upload${plan.uploads.length === 1 ? "" : "s"} of up to ${plan.batchSize}; nothing was sent`,
  ];
  const list = (u: PlannedUpload): string => `  upload ${u.index}: ${u.size} devices, ${row(u.first)} … ${row(u.last)}`;
  if (plan.uploads.length <= shown) lines.push(...plan.uploads.map(list));
  else {
    const head = Math.ceil(shown / 2);
    lines.push(...plan.uploads.slice(0, head).map(list), `  … ${plan.uploads.length - shown} more uploads …`, ...plan.uploads.slice(-(shown - head)).map(list));
  }
  return `${lines.join("\n")}\n`;
}
