import type { RowResult, SourceLocation } from "../model/device.js";
import type { DuplicateTracker } from "../model/duplicates.js";
import { MAX_RECORD_BYTES } from "./record-parser.js";
import { FIELD_LABELS } from "../model/fields.js";
import { quoteValue } from "../model/printable.js";
import { validateDevice } from "../model/validate.js";
import { delimiterName, type Delimiter } from "./delimiter.js";
import type { ColumnMap } from "./header.js";
import type { RowOverrides } from "./types.js";

/** Where a duplicate's first occurrence is, as seen from the row that repeats it. */
export function where(first: SourceLocation, here: SourceLocation): string {
  return first.file === here.file ? `line ${first.line}` : `line ${first.line} of ${first.file}`;
}

export function tooManyFields(fields: number, width: number, delimiter: Delimiter): string {
  return `the row has ${fields} fields but the header has ${width}: a value probably contains an unquoted ${delimiterName(delimiter)}`;
}

/** Turns one parsed record into exactly one RowResult: valid, invalid (with a sentence per problem) or duplicate. */
export function toRowResult(
  record: readonly string[],
  columns: ColumnMap,
  delimiter: Delimiter,
  location: SourceLocation,
  tracker: DuplicateTracker,
  overrides: RowOverrides = {},
): RowResult {
  const { index, names } = columns;
  const value = (at: number): string => (at === -1 ? "" : (record[at] ?? ""));
  const serialNumber = value(index.serialNumber).trim();
  if (record.length > columns.width) {
    // Even empty extras mean the values have shifted: importing them under the wrong columns is worse than stopping.
    return { status: "invalid", location, serialNumber, code: "too_many_fields", message: tooManyFields(record.length, columns.width, delimiter) };
  }
  const validation = validateDevice({
    serialNumber: value(index.serialNumber),
    hardwareIdentifier: value(index.hardwareIdentifier),
    productKey: value(index.productKey),
    groupTag: overrides.groupTag ?? value(index.groupTag),
    assignedUserPrincipalName: overrides.assignedUserPrincipalName ?? value(index.assignedUserPrincipalName),
  });
  if (!validation.ok) {
    const [first] = validation.problems;
    return {
      status: "invalid",
      location,
      serialNumber,
      code: first?.code ?? "invalid_value",
      message: validation.problems.map((p) => `${names[p.field]} ${p.reason}`).join("; "),
      ...(first ? { column: names[first.field] } : {}),
    };
  }
  const hit = tracker.check(validation.device, location);
  if (hit === undefined) return { status: "valid", location, device: validation.device };
  const message =
    hit.code === "duplicate_serial"
      ? `${names.serialNumber} ${quoteValue(validation.device.serialNumber)} already appears on ${where(hit.firstSeen, location)}; only the first is used`
      : `${names.hardwareIdentifier} is the same as on ${where(hit.firstSeen, location)} under another ${FIELD_LABELS.serialNumber.toLowerCase()}: one device listed twice?`;
  return { status: "duplicate", location, serialNumber: validation.device.serialNumber, code: hit.code, message, firstSeen: hit.firstSeen };
}

/** A serial number longer than this is not shown for an oversized row: it is part of the damage, not an identifier. */
const SHOWN_SERIAL_MAX = 256;

/**
 * The RowResult of a record longer than MAX_RECORD_BYTES, from the fields read before it was cut (the last one cut):
 * rejected, with its serial number when that value was read whole.
 */
export function oversizedRowResult(fields: readonly string[], columns: { readonly index: { readonly serialNumber: number } }, location: SourceLocation): RowResult & { status: "invalid" } {
  const at = columns.index.serialNumber;
  const serial = at !== -1 && at < fields.length - 1 ? (fields[at] ?? "").trim() : "";
  return {
    status: "invalid",
    location,
    serialNumber: serial.length <= SHOWN_SERIAL_MAX ? serial : "",
    code: "row_too_long",
    message: `the row is longer than ${MAX_RECORD_BYTES / 1024 / 1024} MB (a device row is a few KB): it was skipped to its end`,
  };
}
