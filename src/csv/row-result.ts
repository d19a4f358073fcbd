import type { RowResult, SourceLocation } from "../model/device.js";
import type { DuplicateTracker } from "../model/duplicates.js";
import { FIELD_LABELS } from "../model/fields.js";
import { quoteValue } from "../model/printable.js";
import { validateDevice } from "../model/validate.js";
import { delimiterName, type Delimiter } from "./delimiter.js";
import type { ColumnMap } from "./header.js";
import type { RowOverrides } from "./types.js";

function where(first: SourceLocation, here: SourceLocation): string {
  return first.file === here.file ? `line ${first.line}` : `line ${first.line} of ${first.file}`;
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
    return {
      status: "invalid",
      location,
      serialNumber,
      code: "too_many_fields",
      message: `the row has ${record.length} fields but the header has ${columns.width}: a value probably contains an unquoted ${delimiterName(delimiter)}`,
    };
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
