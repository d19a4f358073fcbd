import type { RowResult } from "../../model/device.js";
import type { FileSummary } from "../../csv/types.js";

/** Counts of one validate run; `rows = valid + invalid + duplicates` by construction. */
export interface ValidateTally {
  rows: number;
  valid: number;
  invalid: number;
  duplicates: number;
}

export function emptyTally(): ValidateTally {
  return { rows: 0, valid: 0, invalid: 0, duplicates: 0 };
}

export function countRow(tally: ValidateTally, row: RowResult): void {
  tally.rows++;
  if (row.status === "valid") tally.valid++;
  else if (row.status === "invalid") tally.invalid++;
  else tally.duplicates++;
}

/** The `--json` object: exactly these keys, in this order. */
export function jsonSummary(tally: ValidateTally, files: readonly FileSummary[]): string {
  return JSON.stringify({
    rows: tally.rows,
    valid: tally.valid,
    invalid: tally.invalid,
    duplicates: tally.duplicates,
    files: files.map((file) => ({ path: file.path, rows: file.rows, encoding: file.encoding, error: file.error })),
  });
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

function delimiterLabel(delimiter: FileSummary["delimiter"]): string {
  return delimiter === "\t" ? "tab" : delimiter === null ? "?" : `'${delimiter}'`;
}

/** The short human summary printed on stderr at the end. */
export function humanSummary(tally: ValidateTally, files: readonly FileSummary[], reportPath: string | undefined): string {
  const lines = files.map((file) =>
    file.error === null
      ? `${file.path}: ${plural(file.rows, "row")} (${file.encoding ?? "?"}, ${delimiterLabel(file.delimiter)} delimited)`
      : `${file.path}: error: ${file.error}${file.rows > 0 ? ` (after ${plural(file.rows, "row")})` : ""}`,
  );
  const failed = files.filter((file) => file.error !== null).length;
  lines.push(
    `Checked ${plural(tally.rows, "row")} in ${plural(files.length, "file")}: ${tally.valid} valid, ${tally.invalid} invalid, ${plural(tally.duplicates, "duplicate")}.` +
      (failed > 0 ? ` ${plural(failed, "file")} could not be read.` : ""),
  );
  if (reportPath !== undefined) lines.push(`Report: ${reportPath}`);
  return `${lines.join("\n")}\n`;
}

/** One problem row for the live list on stderr. */
export function problemLine(row: Exclude<RowResult, { status: "valid" }>): string {
  return `${row.location.file}:${row.location.line}: ${row.status} (${row.code}): ${row.message}`;
}
