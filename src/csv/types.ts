import type { Readable } from "node:stream";
import type { RowResult } from "../model/device.js";
import type { PinnedInput } from "./open-input.js";

/** Per-file facts, filled in as the file is read; `error` set when the whole file could not be read. */
export interface FileSummary {
  /** As given by the user ("-" for stdin). */
  readonly path: string;
  rows: number;
  /** "utf-8" | "utf-8-bom" | "utf-16le" | "utf-16be" | "windows-1252", or null before detection. */
  encoding: string | null;
  delimiter: "," | ";" | "\t" | null;
  /** One clear line, e.g. "missing required column 'Hardware Hash' (found: Serial, Model)". */
  error: string | null;
}

export interface ReaderOptions {
  /** Stream used for the input "-". */
  readonly stdin?: Readable;
  readonly signal?: AbortSignal;
  /** Directory relative paths are resolved against (default: the process's). Summaries keep paths as given. */
  readonly cwd?: string;
  /** Values for every row that win over the file's columns (--group-tag, --assigned-user), validated as a column's are. */
  readonly overrides?: RowOverrides;
  /** Inputs (by absolute path) a run fingerprinted: exactly those bytes are read, and checked (src/csv/open-input.ts). */
  readonly pinned?: ReadonlyMap<string, PinnedInput>;
}

/** Whole-file values: as `Import-AutopilotCSV -groupTag`, the given value replaces the column's on every row. */
export interface RowOverrides {
  readonly groupTag?: string | undefined;
  readonly assignedUserPrincipalName?: string | undefined;
}

/**
 * Streams every data row of every input, in order, as exactly one RowResult.
 * Files that cannot be read at all do not throw: they get `error` in their summary and yield no rows.
 */
export interface DeviceReader {
  rows(): AsyncIterable<RowResult>;
  /** Complete once `rows()` has been fully consumed. */
  readonly files: readonly FileSummary[];
}
