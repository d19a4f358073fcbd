/**
 * Where an export goes: a file written under a temporary name beside it and renamed into place once complete (an
 * interrupted or failed export leaves no half file that looks whole, and --force replaces a file only with a full
 * one), or stdout.
 */
import { lstatSync, renameSync, rmSync } from "node:fs";
import path from "node:path";
import type { Writable } from "node:stream";
import { UsageError } from "../errors.js";
import type { ReportColumn, ReportFormat } from "../report/columns.js";
import { openReportWriter, type ReportWriter } from "../report/writer.js";

export interface ExportOutput<Row> {
  readonly writer: ReportWriter<Row>;
  /** Flushes, then moves the file into place. */
  commit(): Promise<void>;
  /** Drops the partial file (after a failure or an interruption). */
  abort(): void;
}

function existing(file: string): "file" | "directory" | undefined {
  try {
    return lstatSync(file).isDirectory() ? "directory" : "file";
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new UsageError(`cannot use --out ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, { cause: error });
  }
}

/** Opens the output; refuses an existing file without `force`, and a directory always (one UsageError line). */
export async function openExportOutput<Row>(
  out: string,
  stdout: Writable,
  options: { readonly format: ReportFormat; readonly columns: readonly ReportColumn<Row>[]; readonly force: boolean },
): Promise<ExportOutput<Row>> {
  if (out === "-") {
    const writer = await openReportWriter(stdout, options.columns, { format: options.format });
    return { writer, commit: () => writer.close(), abort: () => undefined };
  }
  const found = existing(out);
  if (found === "directory") throw new UsageError(`--out ${out} is a directory: name a file`);
  if (found === "file" && !options.force) throw new UsageError(`--out ${out} already exists: choose another path, or add --force to replace it`);
  const partial = path.join(path.dirname(out), `.${path.basename(out)}.partial-${process.pid}`);
  // The writer's messages name the file it writes: the user knows it by --out's name.
  const named = (error: unknown): unknown =>
    error instanceof UsageError ? new UsageError(error.message.replace(`the report ${partial}`, `--out ${out}`), { cause: error.cause }) : error;
  const inner = await openReportWriter(partial, options.columns, { format: options.format }).catch((error: unknown) => {
    throw named(error);
  });
  const abort = (): void => rmSync(partial, { force: true });
  const writer: ReportWriter<Row> = {
    format: inner.format,
    get rows() {
      return inner.rows;
    },
    write: (row) => inner.write(row).catch((error: unknown) => Promise.reject(named(error))),
    close: () => inner.close().catch((error: unknown) => Promise.reject(named(error))),
  };
  return {
    writer,
    commit: async () => {
      try {
        await writer.close();
        renameSync(partial, out);
      } catch (error) {
        abort();
        throw error;
      }
    },
    abort,
  };
}
