/**
 * `--where` selectors over Autopilot devices: `FIELD=VALUE` clauses joined by ` and `, all of which must match.
 * Fields: group-tag (an empty value selects devices without a tag), manufacturer, model, purchase-order. A value
 * holding " and " is quoted: `group-tag='Research and Development'` (a quote inside doubled: 'O''Brien'). Values
 * compare as the service does: whole value, case-insensitive, surrounding spaces ignored.
 *
 * Applied on the client while streaming: Graph's windowsAutopilotDeviceIdentities refuses `eq` filters with a 400
 * and supports `contains(serialNumber,…)` only (docs/autopilot-graph.md), so a server-side `$filter` cannot select these.
 */
import { UsageError } from "../errors.js";

export const SELECTOR_FIELDS = {
  "group-tag": "groupTag",
  manufacturer: "manufacturer",
  model: "model",
  "purchase-order": "purchaseOrderIdentifier",
} as const;

export type SelectorField = keyof typeof SELECTOR_FIELDS;
export type SelectableDevice = Partial<Record<(typeof SELECTOR_FIELDS)[SelectorField], string | null | undefined>>;

export interface Clause {
  readonly field: SelectorField;
  /** Normalised (trimmed, upper-cased) value; "" matches an empty or absent property. */
  readonly value: string;
}

export interface DeviceSelector {
  readonly clauses: readonly Clause[];
  /** As given, for messages and summaries. */
  readonly text: string;
}

const normalize = (value: string | null | undefined): string => (value ?? "").trim().toUpperCase();

// One clause: a field, "=", then a quoted value or everything up to the next " and " (or the end).
const CLAUSE = /\s*([^=]*?)\s*=\s*(?:'((?:[^']|'')*)'|"((?:[^"]|"")*)"|(.*?))\s*(?:\s+and\s+|$)/iy;

/** Parses a `--where` text; a clause that is not FIELD=VALUE, an unknown field or a field given twice is one UsageError. */
export function parseWhere(text: string): DeviceSelector {
  const fields = Object.keys(SELECTOR_FIELDS).join(", ");
  const clauses: Clause[] = [];
  CLAUSE.lastIndex = 0;
  while (CLAUSE.lastIndex < text.length) {
    const start = CLAUSE.lastIndex;
    const match = CLAUSE.exec(text);
    if (!match || match[0] === "") {
      throw new UsageError(`--where: '${text.slice(start).trim()}' is not FIELD=VALUE (fields: ${fields}; join clauses with ' and ')`);
    }
    const name = (match[1] ?? "").toLowerCase();
    if (!(name in SELECTOR_FIELDS)) throw new UsageError(`--where: unknown field '${name}' (fields: ${fields})`);
    const field = name as SelectorField;
    if (clauses.some((clause) => clause.field === field)) throw new UsageError(`--where: '${field}' is given twice; a device has one ${field}`);
    const value = match[2]?.replaceAll("''", "'") ?? match[3]?.replaceAll('""', '"') ?? match[4] ?? "";
    clauses.push({ field, value: normalize(value) });
  }
  if (clauses.length === 0) throw new UsageError(`--where: empty; give FIELD=VALUE (fields: ${fields})`);
  return { clauses, text };
}

/** Whether the device satisfies every clause (no selector: every device). */
export function selects(selector: DeviceSelector | undefined, device: SelectableDevice): boolean {
  if (!selector) return true;
  return selector.clauses.every((clause) => normalize(device[SELECTOR_FIELDS[clause.field]]) === clause.value);
}
