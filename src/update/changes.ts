/**
 * What an update changes on one device: the wanted values (a file's columns, --set-* / --clear-* over them) against
 * the device's current ones, compared as the service compares them. Pure: the plan, the report and the request body
 * all come from the FieldChange list.
 */

/** The updateDeviceProperties fields `update` sets (Graph's names). */
export type UpdateField = "groupTag" | "userPrincipalName" | "displayName";

export const UPDATE_FIELDS: readonly UpdateField[] = ["groupTag", "userPrincipalName", "displayName"];

/** Per field: undefined leaves it alone, "" empties it, anything else is the wanted value. */
export type WantedValues = Readonly<Partial<Record<UpdateField, string>>>;

/** A device's values as Graph lists them (null or absent: empty). */
export type CurrentValues = Readonly<Partial<Record<UpdateField, string | null | undefined>>>;

export interface FieldChange {
  readonly field: UpdateField;
  readonly from: string;
  readonly to: string;
}

/** A file row's values (the list reader's names) as wanted values. */
export interface RowValues {
  readonly groupTag?: string | undefined;
  readonly assignedUserPrincipalName?: string | undefined;
  readonly displayName?: string | undefined;
}

/** The wanted values of a row: an override (--set-* / --clear-*) wins over the file's column, as import's --group-tag does. */
export function wantedValues(row: RowValues, overrides: WantedValues): WantedValues {
  const fromFile: Partial<Record<UpdateField, string>> = {};
  if (row.groupTag !== undefined) fromFile.groupTag = row.groupTag;
  if (row.assignedUserPrincipalName !== undefined) fromFile.userPrincipalName = row.assignedUserPrincipalName;
  if (row.displayName !== undefined) fromFile.displayName = row.displayName;
  return { ...fromFile, ...definedOnly(overrides) };
}

function definedOnly(values: WantedValues): WantedValues {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined));
}

/** Whether two values are the same to the service: user principal names ignore case (Entra ID's rule), the rest are exact. */
export function sameValue(field: UpdateField, a: string, b: string): boolean {
  return field === "userPrincipalName" ? a.toLowerCase() === b.toLowerCase() : a === b;
}

/** The fields whose wanted value differs from the current one, in UPDATE_FIELDS order; a field not wanted is not compared. */
export function fieldChanges(wanted: WantedValues, current: CurrentValues): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const field of UPDATE_FIELDS) {
    const to = wanted[field];
    if (to === undefined) continue;
    const from = current[field] ?? "";
    if (!sameValue(field, from, to)) changes.push({ field, from, to });
  }
  return changes;
}

/** The updateDeviceProperties body: only the fields that differ. */
export function updateBody(changes: readonly FieldChange[]): Record<string, string> {
  return Object.fromEntries(changes.map((change) => [change.field, change.to]));
}

/** One change as the report and the plan show it: `groupTag: 'A' → 'B'`. */
export function describeChange(change: FieldChange): string {
  return `${change.field}: '${change.from}' → '${change.to}'`;
}

/** `groupTag: 'A' → 'B'; displayName: '' → 'PC-7'`. */
export function describeChanges(changes: readonly FieldChange[]): string {
  return changes.map(describeChange).join("; ");
}
