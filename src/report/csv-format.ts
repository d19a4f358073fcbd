import type { CellValue, ReportColumn } from "./columns.js";

/** RFC 4180 line end: what Excel, the tool's audience, expects. */
export const CSV_LINE_END = "\r\n";

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

/**
 * Neutralises spreadsheet formula injection: a text cell starting with = + - @ (or tab / CR) is prefixed with a
 * single quote, so Excel shows it instead of evaluating it. Values come from user files, hence the caution.
 */
export function neutralizeFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/** One CSV cell: text neutralised and quoted when needed (quotes doubled), numbers as written, null as empty. */
export function csvCell(value: CellValue): string {
  if (value === null || value === undefined) return "";
  if (typeof value !== "string") return String(value);
  const text = neutralizeFormula(value);
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: readonly CellValue[]): string {
  return values.map(csvCell).join(",") + CSV_LINE_END;
}

export function csvHeaderLine<Row>(columns: readonly ReportColumn<Row>[]): string {
  return csvLine(columns.map((column) => column.header));
}

export function csvRowLine<Row>(columns: readonly ReportColumn<Row>[], row: Row): string {
  return csvLine(columns.map((column) => column.value(row)));
}
