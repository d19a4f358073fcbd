/** A cell value: strings are written as text, numbers and booleans as such, null/undefined as empty (JSON null). */
export type CellValue = string | number | boolean | null | undefined;

/** One report column: its header and how to get its value from a row. Reports are generic over the row type. */
export interface ReportColumn<Row> {
  readonly header: string;
  value(row: Row): CellValue;
}

export type ReportFormat = "csv" | "jsonl";

/** JSON Lines when the path ends in .jsonl (any case), CSV otherwise. */
export function reportFormatFor(path: string): ReportFormat {
  return path.toLowerCase().endsWith(".jsonl") ? "jsonl" : "csv";
}
