import { createWriteStream } from "node:fs";
import { once } from "node:events";
import type { Writable } from "node:stream";
import { finished } from "node:stream/promises";
import { UsageError } from "../errors.js";
import { scrubSecrets } from "../redact.js";
import { reportFormatFor, type ReportColumn, type ReportFormat } from "./columns.js";
import { UTF8_BOM, type CsvDelimiter } from "./csv-format.js";
import { lineFormatter, type LineFormatter } from "./format.js";

export interface ReportWriterOptions {
  /** Defaults to the path's extension (.jsonl → JSON Lines), or CSV for a stream. */
  readonly format?: ReportFormat;
  /**
   * The CSV separator (default `,`); a function is asked once, at the first row (or at close when there is none), so
   * a report opened before its input is read can still use the separator the reader finds in it.
   */
  readonly delimiter?: CsvDelimiter | (() => CsvDelimiter);
  /** Start a CSV with the UTF-8 byte order mark Excel needs; default: yes for a file, no for a caller's stream. */
  readonly bom?: boolean;
}

/** Writes report rows as they are produced; `write` waits while the destination is saturated (backpressure). */
export interface ReportWriter<Row> {
  readonly format: ReportFormat;
  /** Rows written so far. */
  readonly rows: number;
  write(row: Row): Promise<void>;
  /** Ends the file (a caller's stream is left open) and waits until everything is flushed. */
  close(): Promise<void>;
}

function describeWriteError(path: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  const why =
    code === "ENOENT" ? "its folder does not exist" : code === "EACCES" || code === "EPERM" ? "permission denied" : code === "EISDIR" ? "it is a directory" : String(code ?? error);
  return `cannot write the report ${path}: ${why}`;
}

class StreamReportWriter<Row> implements ReportWriter<Row> {
  rows = 0;
  #failure: unknown;
  readonly #onError = (error: unknown): void => {
    this.#failure ??= error;
  };

  readonly #stream: Writable;
  readonly #makeFormatter: () => LineFormatter<Row>;
  #formatter: LineFormatter<Row> | undefined;
  readonly #bom: boolean;
  readonly #owned: boolean;
  readonly #label: string;

  constructor(readonly format: ReportFormat, stream: Writable, makeFormatter: () => LineFormatter<Row>, bom: boolean, owned: boolean, label: string) {
    this.#stream = stream;
    this.#makeFormatter = makeFormatter;
    this.#bom = bom && format === "csv";
    this.#owned = owned;
    this.#label = label;
    // Keep an error for the next write/close instead of letting an unhandled 'error' event crash the process.
    this.#stream.on("error", this.#onError);
  }

  async write(row: Row): Promise<void> {
    this.#throwIfFailed();
    this.rows++;
    // A row may carry a configured secret (a CSV whose "serial" is one): never into the report.
    if (!this.#stream.write(scrubSecrets(this.#started().line(row)))) await this.#drain();
  }

  async close(): Promise<void> {
    this.#throwIfFailed();
    this.#started();
    try {
      if (this.#owned) {
        this.#stream.end();
        await finished(this.#stream);
      } else if (this.#stream.writableNeedDrain) {
        await this.#drain();
      }
    } catch (error) {
      this.#failure ??= error;
    } finally {
      this.#stream.off("error", this.#onError);
    }
    this.#throwIfFailed();
  }

  /** The formatter, made (and the BOM and header written) at the first row or at close. */
  #started(): LineFormatter<Row> {
    if (this.#formatter) return this.#formatter;
    const formatter = this.#makeFormatter();
    this.#formatter = formatter;
    const start = `${this.#bom ? UTF8_BOM : ""}${scrubSecrets(formatter.header)}`;
    if (start) this.#stream.write(start);
    return formatter;
  }

  async #drain(): Promise<void> {
    try {
      await once(this.#stream, "drain");
    } catch (error) {
      this.#failure ??= error;
      this.#throwIfFailed();
    }
  }

  #throwIfFailed(): void {
    if (this.#failure !== undefined) throw new UsageError(describeWriteError(this.#label, this.#failure), { cause: this.#failure });
  }
}

/**
 * Opens a report at `target` (a path, created or truncated, or a stream the caller owns) with the given columns.
 * Fails with a UsageError naming the path when it cannot be opened. A CSV file is written as Excel opens it: UTF-8
 * with a BOM, CRLF line ends, the chosen separator, formulas neutralised.
 */
export async function openReportWriter<Row>(
  target: string | Writable,
  columns: readonly ReportColumn<Row>[],
  options: ReportWriterOptions = {},
): Promise<ReportWriter<Row>> {
  const formatterFor = (format: ReportFormat) => () => {
    const delimiter = typeof options.delimiter === "function" ? options.delimiter() : options.delimiter;
    return lineFormatter(columns, format, delimiter);
  };
  if (typeof target !== "string") {
    const format = options.format ?? "csv";
    return new StreamReportWriter(format, target, formatterFor(format), options.bom ?? false, false, "stream");
  }
  const format = options.format ?? reportFormatFor(target);
  // 0600: a report names serial numbers and users (an existing file keeps its mode).
  const stream = createWriteStream(target, { mode: 0o600 });
  try {
    await once(stream, "open");
  } catch (error) {
    throw new UsageError(describeWriteError(target, error), { cause: error });
  }
  return new StreamReportWriter(format, stream, formatterFor(format), options.bom ?? true, true, target);
}
