import { isRememberedSecret } from "../redact.js";
import type { DeviceIdentity } from "./device.js";
import type { DeviceField } from "./fields.js";
import { checkGroupTag } from "./group-tag.js";
import { checkHardwareHash } from "./hardware-hash.js";
import { checkProductKey } from "./product-key.js";
import { deviceInputSchema, type DeviceInput } from "./schema.js";
import { checkSerialNumber } from "./serial-number.js";
import { checkUserPrincipalName } from "./user-principal-name.js";

export interface FieldProblem {
  readonly field: DeviceField;
  readonly code: string;
  /** Completes "<column> …". */
  readonly reason: string;
}

export type DeviceValidation =
  | { readonly ok: true; readonly device: DeviceIdentity }
  | { readonly ok: false; readonly problems: readonly FieldProblem[] };

type MutableDevice = { -readonly [K in keyof DeviceIdentity]: DeviceIdentity[K] };

/** Builds the device, leaving absent optional fields out rather than undefined, so JSON bodies stay minimal. */
function device(
  serialNumber: string,
  hardwareIdentifier: string,
  productKey: string | undefined,
  groupTag: string | undefined,
  assignedUserPrincipalName: string | undefined,
): DeviceIdentity {
  const result: MutableDevice = { serialNumber, hardwareIdentifier };
  if (productKey !== undefined) result.productKey = productKey;
  if (groupTag !== undefined) result.groupTag = groupTag;
  if (assignedUserPrincipalName !== undefined) result.assignedUserPrincipalName = assignedUserPrincipalName;
  return result;
}

/** Validates one row's raw values with the zod schema and turns zod issues into field problems (never a zod dump). */
export function validateDeviceWithSchema(input: DeviceInput): DeviceValidation {
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
  return { ok: true, device: device(serialNumber, hardwareIdentifier, productKey, groupTag, assignedUserPrincipalName) };
}

/** The first field whose value is a configured secret (src/redact.ts): such a row is rejected before anything else. */
function secretField(input: DeviceInput): DeviceField | undefined {
  for (const [field, value] of Object.entries(input) as Array<[DeviceField, unknown]>) if (typeof value === "string" && isRememberedSecret(value)) return field;
  return undefined;
}

/**
 * Validates one row. The zod schema defines validity; the common case (a valid row) runs the schema's own field
 * checks directly, skipping zod's per-row objects, and any problem goes through the schema for its report.
 * Both paths give the same answer: test/model/validate.test.ts checks it on arbitrary input.
 */
export function validateDevice(input: DeviceInput): DeviceValidation {
  const { serialNumber, hardwareIdentifier, productKey, groupTag, assignedUserPrincipalName } = input as Record<keyof DeviceInput, unknown>;
  if (
    typeof serialNumber !== "string" ||
    typeof hardwareIdentifier !== "string" ||
    typeof productKey !== "string" ||
    typeof groupTag !== "string" ||
    typeof assignedUserPrincipalName !== "string"
  ) {
    return validateDeviceWithSchema(input); // only the schema can describe a value that is not text
  }
  const secret = secretField(input);
  if (secret) return { ok: false, problems: [{ field: secret, code: "secret_value", reason: "holds the value of a configured secret (a secret file read as a CSV?): not sent, not printed" }] };
  const serial = checkSerialNumber(serialNumber);
  const hash = checkHardwareHash(hardwareIdentifier);
  const key = checkProductKey(productKey);
  const tag = checkGroupTag(groupTag);
  const user = checkUserPrincipalName(assignedUserPrincipalName);
  if (!serial.ok || !hash.ok || !key.ok || !tag.ok || !user.ok) return validateDeviceWithSchema(input);
  return { ok: true, device: device(serial.value, hash.value, key.value, tag.value, user.value) };
}
