import type { CellValue, ReportColumn } from "./columns.js";

/** RFC 4180 line end: what Excel, the tool's audience, expects. */
export const CSV_LINE_END = "\r\n";

/** The byte order mark Excel needs to read a CSV file as UTF-8 (without it, accented names turn into mojibake). */
export const UTF8_BOM = "\uFEFF";

/** The separators a report can use: those the reader accepts. */
export type CsvDelimiter = "," | ";" | "\t";

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES: Readonly<Record<CsvDelimiter, RegExp>> = {
  ",": /[",\r\n]|^\s|\s$/,
  ";": /[";\r\n]|^\s|\s$/,
  "\t": /["\t\r\n]|^\s|\s$/,
};

/**
 * Neutralises spreadsheet formula injection: a text cell starting with = + - @ (or tab / CR) is prefixed with a
 * single quote, so Excel shows it instead of evaluating it. Values come from user files, hence the caution.
 */
export function neutralizeFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/** Undoes neutralizeFormula on a value read back from one of our CSVs (an exported file fed to `update`). */
export function restoreFormula(text: string): string {
  return text.startsWith("'") && FORMULA_START.test(text.slice(1)) ? text.slice(1) : text;
}

/** One CSV cell: text neutralised and quoted when needed (quotes doubled), numbers as written, null as empty. */
export function csvCell(value: CellValue, delimiter: CsvDelimiter = ","): string {
  if (value === null || value === undefined) return "";
  if (typeof value !== "string") return String(value);
  const text = neutralizeFormula(value);
  return NEEDS_QUOTES[delimiter].test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: readonly CellValue[], delimiter: CsvDelimiter = ","): string {
  return values.map((value) => csvCell(value, delimiter)).join(delimiter) + CSV_LINE_END;
}

export function csvHeaderLine<Row>(columns: readonly ReportColumn<Row>[], delimiter: CsvDelimiter = ","): string {
  return csvLine(
    columns.map((column) => column.header),
    delimiter,
  );
}

export function csvRowLine<Row>(columns: readonly ReportColumn<Row>[], row: Row, delimiter: CsvDelimiter = ","): string {
  return csvLine(
    columns.map((column) => column.value(row)),
    delimiter,
  );
}
