/**
 * An import of files: the streaming reader over the inputs, the report writer for the report path, and importDevices
 * between them. What a script, the `import` and `demo` commands and each inbox file run.
 */
import type { Readable } from "node:stream";
import { inputDelimiter } from "../csv/delimiter.js";
import { openDeviceReader } from "../csv/reader.js";
import type { FileSummary, RowOverrides } from "../csv/types.js";
import type { RowResult } from "../model/device.js";
import { importDevices, type ImportDevicesOptions } from "../pipeline/import-devices.js";
import { importReportColumns } from "../pipeline/report-columns.js";
import type { ImportSummary } from "../pipeline/types.js";
import type { CsvDelimiter } from "../report/csv-format.js";
import { openReportWriter } from "../report/writer.js";

export interface ImportFilesOptions extends Omit<ImportDevicesOptions, "rows" | "report" | "onOutcomes"> {
  /** CSV files, `-` for standard input. */
  readonly files: readonly string[];
  /** What relative `files` are resolved against (default: the process's working directory). */
  readonly cwd?: string;
  readonly stdin?: Readable;
  /** The report: CSV, or JSON Lines for a `.jsonl` path; none when absent. */
  readonly reportPath?: string;
  /** The CSV report's separator; by default the first input's (Excel in that locale expects it). */
  readonly reportDelimiter?: CsvDelimiter;
  /** Group tag and assigned user for every row, winning over the files' columns (--group-tag, --assigned-user). */
  readonly overrides?: RowOverrides;
  /** Sees the rows on their way from the reader to the import (`import --archive` holds their hashes). */
  readonly tapRows?: (rows: AsyncIterable<RowResult>) => AsyncIterable<RowResult>;
  /** As importDevices' `onOutcomes`, with each file's facts (encoding, rows, or why it could not be read). */
  readonly onOutcomes?: (summary: ImportSummary, files: readonly FileSummary[]) => void;
}

export interface ImportFilesResult {
  readonly summary: ImportSummary;
  readonly files: readonly FileSummary[];
}

export async function importFiles(options: ImportFilesOptions): Promise<ImportFilesResult> {
  const { files: inputs, cwd, stdin, reportPath, reportDelimiter, overrides, onOutcomes, tapRows, ...rest } = options;
  // The reader stops when the import does, whatever it was waiting for.
  const stopReading = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stopReading.signal]) : stopReading.signal;
  // A journaled run reads exactly the bytes its key was made of (a file still being written is caught, not half-imported).
  const pinned = rest.journal?.inputs ? new Map(rest.journal.inputs.map((f) => [f.path, { size: f.size, sha256: f.sha256 }])) : undefined;
  const reader = openDeviceReader(inputs, { stdin, cwd, signal, ...(overrides ? { overrides } : {}), ...(pinned ? { pinned } : {}) });
  // Opened now (a bad path fails before any request); the separator is asked at the first row, once the reader has seen a header.
  const delimiter = reportDelimiter ?? (() => inputDelimiter(reader.files));
  const report = reportPath === undefined ? undefined : await openReportWriter(reportPath, importReportColumns, { delimiter });
  try {
    const summary = await importDevices({
      ...rest,
      rows: tapRows ? tapRows(reader.rows()) : reader.rows(),
      ...(report ? { report } : {}),
      ...(onOutcomes ? { onOutcomes: (summary: ImportSummary) => onOutcomes(summary, reader.files) } : {}),
    });
    return { summary, files: reader.files };
  } finally {
    stopReading.abort();
  }
}
