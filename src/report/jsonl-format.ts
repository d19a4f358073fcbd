import type { ReportColumn } from "./columns.js";

/** One JSON Lines record: an object keyed by column header, absent values as null. */
export function jsonLine<Row>(columns: readonly ReportColumn<Row>[], row: Row): string {
  const record: Record<string, unknown> = {};
  for (const column of columns) record[column.header] = column.value(row) ?? null;
  return `${JSON.stringify(record)}\n`;
}
