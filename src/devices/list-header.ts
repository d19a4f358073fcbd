/**
 * The header of a device list (the input of `update` and `deregister`): a serial number column, required, and the
 * columns a command asks for, under the import file's names and the export's (`Display Name`). Other columns (the
 * export's Manufacturer name, Enrollment State, ids…) are ignored.
 */
import { HASH_LIKE, HEADER_ALIASES, listFound, normalizeHeader } from "../csv/header.js";
import { quoteValue } from "../model/printable.js";

export type ListField = "groupTag" | "assignedUserPrincipalName" | "displayName";
type ListColumn = "serialNumber" | ListField;

export const LIST_FIELD_LABELS: Readonly<Record<ListColumn, string>> = {
  serialNumber: "Device Serial Number",
  groupTag: "Group Tag",
  assignedUserPrincipalName: "Assigned User",
  displayName: "Display Name",
};

const ALIASES: Readonly<Record<ListColumn, readonly string[]>> = {
  serialNumber: HEADER_ALIASES.serialNumber,
  groupTag: HEADER_ALIASES.groupTag,
  assignedUserPrincipalName: HEADER_ALIASES.assignedUserPrincipalName,
  displayName: ["Display Name", "DisplayName", "Device Name", "DeviceName"],
};

/** Where each column sits (-1: absent) and its name as the file writes it. */
export interface ListColumns {
  readonly index: Readonly<Record<ListColumn, number>>;
  readonly names: Readonly<Record<ListColumn, string>>;
  readonly width: number;
}

export type ListHeaderMapping = { readonly ok: true; readonly columns: ListColumns } | { readonly ok: false; readonly error: string };

/** Maps a header to the serial column and the `fields` asked for; a missing serial column is one line naming it. */
export function mapListHeader(headers: readonly string[], fields: readonly ListField[]): ListHeaderMapping {
  if (headers.some((h) => HASH_LIKE.test(h.trim()))) {
    return { ok: false, error: "no header line: the first line looks like a device row; add a header naming 'Device Serial Number'" };
  }
  const wanted: readonly ListColumn[] = ["serialNumber", ...fields];
  const byAlias = new Map(wanted.flatMap((column) => ALIASES[column].map((alias) => [normalizeHeader(alias), column] as const)));
  const index: Record<ListColumn, number> = { serialNumber: -1, groupTag: -1, assignedUserPrincipalName: -1, displayName: -1 };
  const names: Record<ListColumn, string> = { ...LIST_FIELD_LABELS };
  for (const [position, header] of headers.entries()) {
    const column = byAlias.get(normalizeHeader(header));
    if (column === undefined) continue;
    if (index[column] !== -1) {
      return { ok: false, error: `columns ${quoteValue(names[column])} and ${quoteValue(header.trim())} both mean ${LIST_FIELD_LABELS[column]}: keep one` };
    }
    index[column] = position;
    names[column] = header.trim();
  }
  if (index.serialNumber === -1) return { ok: false, error: `missing required column '${LIST_FIELD_LABELS.serialNumber}'${listFound(headers)}` };
  return { ok: true, columns: { index, names, width: headers.length } };
}
