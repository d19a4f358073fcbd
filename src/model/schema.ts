import { z } from "zod";
import type { FieldCheck } from "./field-check.js";
import { checkGroupTag } from "./group-tag.js";
import { checkHardwareHash } from "./hardware-hash.js";
import { checkProductKey } from "./product-key.js";
import { checkSerialNumber } from "./serial-number.js";
import { checkUserPrincipalName } from "./user-principal-name.js";

/** Lifts a field check into zod: the reason becomes the issue message, the code goes into `params.code`. */
function checked<T>(check: (raw: string) => FieldCheck<T>) {
  return z.string().transform((raw, ctx): T => {
    const result = check(raw);
    if (result.ok) return result.value;
    ctx.issues.push({ code: "custom", message: result.reason, input: raw, params: { code: result.code } });
    return z.NEVER;
  });
}

/**
 * One CSV row's raw values → the inputs of Graph's importedWindowsAutopilotDeviceIdentity, normalized.
 * Raw values are strings ("" for an absent optional column); optional outputs are undefined when empty.
 */
export const deviceInputSchema = z.object({
  serialNumber: checked(checkSerialNumber),
  hardwareIdentifier: checked(checkHardwareHash),
  productKey: checked(checkProductKey),
  groupTag: checked(checkGroupTag),
  assignedUserPrincipalName: checked(checkUserPrincipalName),
});

export type DeviceInput = z.input<typeof deviceInputSchema>;
