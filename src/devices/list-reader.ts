/**
 * Reads device lists: CSV files naming registered devices by serial number, with the values `update` should set.
 * The reading is the import's (encoding and delimiter detection, line numbers, oversized rows, pinned bytes); the
 * rows differ: no hash, only the serial required, and an exported file's formula guard (`'=…`) undone.
 */
import { readCsvFile, type RowSchema } from "../csv/read-file.js";
import { oversizedRowResult, tooManyFields, where } from "../csv/row-result.js";
import type { FileSummary, ReaderOptions } from "../csv/types.js";
import type { Delimiter } from "../csv/delimiter.js";
import type { SourceLocation } from "../model/device.js";
import { checkDisplayName } from "../model/display-name.js";
import { DuplicateTracker } from "../model/duplicates.js";
import type { FieldCheck } from "../model/field-check.js";
import { checkGroupTag } from "../model/group-tag.js";
import { quoteValue } from "../model/printable.js";
import { checkSerialNumber } from "../model/serial-number.js";
import { checkUserPrincipalName } from "../model/user-principal-name.js";
import { restoreFormula } from "../report/csv-format.js";
import { mapListHeader, type ListColumns, type ListField } from "./list-header.js";

export type { ListField } from "./list-header.js";

export interface ListedDevice {
  /** Trimmed. */
  readonly serialNumber: string;
  /** undefined: the file has no such column (leave the field alone); "": the cell is empty (the value is empty). */
  readonly groupTag?: string | undefined;
  readonly assignedUserPrincipalName?: string | undefined;
  readonly displayName?: string | undefined;
}

export type ListRowResult =
  | { readonly status: "valid"; readonly location: SourceLocation; readonly device: ListedDevice }
  | { readonly status: "invalid"; readonly location: SourceLocation; readonly serialNumber: string; readonly code: string; readonly message: string; readonly column?: string }
  | {
      readonly status: "duplicate";
      readonly location: SourceLocation;
      readonly serialNumber: string;
      readonly code: "duplicate_serial";
      readonly message: string;
      readonly firstSeen: SourceLocation;
    };

export interface DeviceListReader {
  rows(): AsyncIterable<ListRowResult>;
  /** Complete once `rows()` has been fully consumed. */
  readonly files: readonly FileSummary[];
}

export interface DeviceListOptions extends Omit<ReaderOptions, "overrides"> {
  /** The optional columns to read and validate (update: all three; deregister: none, other columns ignored). */
  readonly fields: readonly ListField[];
}

/** Each field's check, with "" for an empty value (a field the file sets to nothing). */
const CHECKS: Readonly<Record<ListField, (raw: string) => FieldCheck<string | undefined>>> = {
  groupTag: checkGroupTag,
  assignedUserPrincipalName: checkUserPrincipalName,
  displayName: checkDisplayName,
};

function listSchema(fields: readonly ListField[], tracker: DuplicateTracker, delimiter: Delimiter): RowSchema<ListRowResult, ListColumns> {
  return {
    mapHeader: (record) => mapListHeader(record, fields),
    oversized: oversizedRowResult,
    toRow(record, columns, location): ListRowResult {
      const cell = (at: number): string => restoreFormula((record[at] ?? "").trim());
      const rawSerial = cell(columns.index.serialNumber);
      if (record.length > columns.width) {
        return { status: "invalid", location, serialNumber: rawSerial, code: "too_many_fields", message: tooManyFields(record.length, columns.width, delimiter) };
      }
      const serial = checkSerialNumber(rawSerial);
      if (!serial.ok) {
        const column = columns.names.serialNumber;
        return { status: "invalid", location, serialNumber: rawSerial, code: serial.code, message: `${column} ${serial.reason}`, column };
      }
      const device: { -readonly [F in keyof ListedDevice]: ListedDevice[F] } = { serialNumber: serial.value };
      for (const field of fields) {
        const at = columns.index[field];
        if (at === -1) continue;
        const checked = CHECKS[field](cell(at));
        if (!checked.ok) {
          const column = columns.names[field];
          return { status: "invalid", location, serialNumber: serial.value, code: checked.code, message: `${column} ${checked.reason}`, column };
        }
        device[field] = checked.value ?? "";
      }
      const hit = tracker.checkSerial(serial.value, location);
      if (hit === undefined) return { status: "valid", location, device };
      const message = `${columns.names.serialNumber} ${quoteValue(serial.value)} already appears on ${where(hit.firstSeen, location)}; only the first is used`;
      return { status: "duplicate", location, serialNumber: serial.value, code: "duplicate_serial", message, firstSeen: hit.firstSeen };
    },
  };
}

/**
 * Opens a reader over `inputs` (paths, or "-" for `options.stdin`), read in order as one stream of rows, exactly one
 * per data row; duplicates are tracked across all inputs. A file that cannot be read gets `error` in its summary.
 */
export function openDeviceListReader(inputs: readonly string[], options: DeviceListOptions): DeviceListReader {
  const files: FileSummary[] = inputs.map((path) => ({ path, rows: 0, encoding: null, delimiter: null, error: null }));
  let iterated = false;
  async function* rows(): AsyncGenerator<ListRowResult> {
    if (iterated) throw new Error("a DeviceListReader's rows() can be iterated only once");
    iterated = true;
    const tracker = new DuplicateTracker();
    let stdin = options.stdin;
    for (const summary of files) {
      const fromStdin = summary.path === "-";
      const sources = { stdin: fromStdin ? stdin : undefined, signal: options.signal, cwd: options.cwd, pinned: options.pinned };
      yield* readCsvFile(summary, sources, (delimiter) => listSchema(options.fields, tracker, delimiter));
      if (fromStdin) stdin = undefined; // a stream can be read only once
    }
  }
  return { files, rows };
}
