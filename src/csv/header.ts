import { DEVICE_FIELDS, FIELD_LABELS, type DeviceField } from "../model/fields.js";
import { quoteValue } from "../model/printable.js";
import { scrubSecrets } from "../redact.js";

const REQUIRED: readonly DeviceField[] = ["serialNumber", "hardwareIdentifier"];

/** Accepted header names per field, compared after `normalizeHeader`. */
export const HEADER_ALIASES: Readonly<Record<DeviceField, readonly string[]>> = {
  serialNumber: ["Device Serial Number", "SerialNumber", "Serial Number", "Serial"],
  hardwareIdentifier: ["Hardware Hash", "HardwareHash", "hardwareIdentifier"],
  productKey: ["Windows Product ID", "ProductKey", "Product Key", "Windows Product Key", "Product ID"],
  groupTag: ["Group Tag", "GroupTag", "OrderID", "Order ID", "OrderIdentifier"],
  assignedUserPrincipalName: ["Assigned User", "AssignedUser", "assignedUserPrincipalName", "User Principal Name"],
};

/** Header comparison ignores case, all white space and a stray byte-order mark. */
export function normalizeHeader(name: string): string {
  return name.replace(/[\s\uFEFF]+/g, "").toLowerCase();
}

const FIELD_BY_ALIAS = new Map<string, DeviceField>(
  DEVICE_FIELDS.flatMap((field) => HEADER_ALIASES[field].map((alias) => [normalizeHeader(alias), field] as const)),
);

/** Where each field sits in a record, and the header as the file wrote it (for messages). */
export interface ColumnMap {
  /** Column index per field, -1 when the file has no such column. */
  readonly index: Readonly<Record<DeviceField, number>>;
  readonly names: Readonly<Record<DeviceField, string>>;
  /** Number of columns in the header. */
  readonly width: number;
}

export type HeaderMapping = { readonly ok: true; readonly columns: ColumnMap } | { readonly ok: false; readonly error: string };

/** A header field this long that is all base64 is a hash: the file starts with data, not a header. */
export const HASH_LIKE = /^[A-Za-z0-9+/\-_]{64,}={0,2}$/;

/** A column name as people write them: words, digits and a little punctuation, short. */
const NAME_LIKE = /^[\p{L}\p{N}][\p{L}\p{N} _.()#/-]{0,39}$/u;
/** A long run without spaces mixing letters and digits is a token or a hash, not a name. */
const TOKEN_LIKE = /^(?=\S{16,}$)(?=.*\p{L})(?=.*\p{N})/u;

function isNameLike(header: string): boolean {
  const name = header.trim();
  return name === "" || (NAME_LIKE.test(name) && !TOKEN_LIKE.test(name));
}

/**
 * Whether the first line may be quoted in a message: a file that is not a CSV (a secret, a token file, /etc/passwd)
 * must never be echoed. Several short names qualify; a single field only when it is one of our column names.
 */
function looksLikeHeader(headers: readonly string[]): boolean {
  if (headers.length === 1) return FIELD_BY_ALIAS.has(normalizeHeader(headers[0]!));
  return headers.some((h) => h.trim() !== "") && headers.every(isNameLike);
}

/** What a message may say about the headers found: quoted when they look like a header, else only described. */
export function listFound(headers: readonly string[]): string {
  if (!looksLikeHeader(headers)) {
    const characters = headers.reduce((sum, h) => sum + h.length, headers.length - 1);
    return `: the first line is not a CSV header (${characters} characters)`;
  }
  const shown = headers.slice(0, 12).map((h) => quoteValue(h.trim(), 32));
  if (headers.length > shown.length) shown.push(`… ${headers.length - shown.length} more`);
  return scrubSecrets(` (found: ${shown.join(", ")})`);
}

/** Maps a header record to device fields; a missing required column is an error naming it and the headers found. */
export function mapHeader(headers: readonly string[]): HeaderMapping {
  if (headers.some((h) => HASH_LIKE.test(h.trim()))) {
    return {
      ok: false,
      error: `no header line: the first line looks like a device row (it holds a hardware hash); add the header 'Device Serial Number,Windows Product ID,Hardware Hash'`,
    };
  }
  const index = { serialNumber: -1, hardwareIdentifier: -1, productKey: -1, groupTag: -1, assignedUserPrincipalName: -1 };
  const names = { ...FIELD_LABELS };
  for (const [position, header] of headers.entries()) {
    const field = FIELD_BY_ALIAS.get(normalizeHeader(header));
    if (field === undefined) continue; // extra columns (Manufacturer name, Device model, …) are tolerated
    if (index[field] !== -1) {
      return {
        ok: false,
        error: `columns ${quoteValue(names[field])} and ${quoteValue(header.trim())} both mean ${FIELD_LABELS[field]}: keep one`,
      };
    }
    index[field] = position;
    names[field] = header.trim();
  }
  const missing = REQUIRED.filter((field) => index[field] === -1).map((field) => `'${FIELD_LABELS[field]}'`);
  if (missing.length > 0) {
    const what = missing.length === 1 ? `column ${missing[0]}` : `columns ${missing.join(" and ")}`;
    return { ok: false, error: `missing required ${what}${listFound(headers)}` };
  }
  return { ok: true, columns: { index, names, width: headers.length } };
}
