import type { DeviceIdentity } from "./device.js";
import type { DeviceField } from "./fields.js";
import { deviceInputSchema, type DeviceInput } from "./schema.js";

export interface FieldProblem {
  readonly field: DeviceField;
  readonly code: string;
  /** Completes "<column> …". */
  readonly reason: string;
}

export type DeviceValidation =
  | { readonly ok: true; readonly device: DeviceIdentity }
  | { readonly ok: false; readonly problems: readonly FieldProblem[] };

/** Validates one row's raw values with the zod schema and turns zod issues into field problems (never a zod dump). */
export function validateDevice(input: DeviceInput): DeviceValidation {
  const result = deviceInputSchema.safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => ({
      field: issue.path[0] as DeviceField,
      code: issue.code === "custom" && typeof issue.params?.code === "string" ? issue.params.code : "invalid_value",
      reason: issue.code === "custom" ? issue.message : "is not a text value",
    }));
    return { ok: false, problems };
  }
  const { serialNumber, hardwareIdentifier, productKey, groupTag, assignedUserPrincipalName } = result.data;
  // Absent optional fields are left out rather than set to undefined, so JSON bodies stay minimal.
  const device: { -readonly [K in keyof DeviceIdentity]: DeviceIdentity[K] } = { serialNumber, hardwareIdentifier };
  if (productKey !== undefined) device.productKey = productKey;
  if (groupTag !== undefined) device.groupTag = groupTag;
  if (assignedUserPrincipalName !== undefined) device.assignedUserPrincipalName = assignedUserPrincipalName;
  return { ok: true, device };
}
