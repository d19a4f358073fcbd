import type { ReportColumn, ReportFormat } from "./columns.js";
import { csvHeaderLine, csvRowLine, type CsvDelimiter } from "./csv-format.js";
import { jsonLine } from "./jsonl-format.js";

/** Formats rows one line at a time: the header line (CSV only), then one line per row. */
export interface LineFormatter<Row> {
  readonly header: string;
  line(row: Row): string;
}

export function lineFormatter<Row>(columns: readonly ReportColumn<Row>[], format: ReportFormat, delimiter: CsvDelimiter = ","): LineFormatter<Row> {
  return format === "csv"
    ? { header: csvHeaderLine(columns, delimiter), line: (row) => csvRowLine(columns, row, delimiter) }
    : { header: "", line: (row) => jsonLine(columns, row) };
}

/** A `stream/promises.pipeline` stage: rows in, report text out (for callers that have the rows as a stream). */
export function formatReport<Row>(columns: readonly ReportColumn<Row>[], format: ReportFormat, delimiter: CsvDelimiter = ",") {
  const formatter = lineFormatter(columns, format, delimiter);
  return async function* format(rows: AsyncIterable<Row>): AsyncGenerator<string> {
    if (formatter.header) yield formatter.header;
    for await (const row of rows) yield formatter.line(row);
  };
}
