import { accept, reject, type FieldCheck } from "./field-check.js";
import { DISPLAY_NAME_MAX_LENGTH } from "./limits.js";
import { describeCharacter, quoteValue } from "./printable.js";

const NOT_NAME_CHAR = /[^A-Za-z0-9-]/;

/**
 * A device name as Intune takes it for an Autopilot device (it becomes the computer's NetBIOS name): at most 15
 * characters, letters, digits and hyphens, not digits only. Empty is allowed (no name set).
 */
export function checkDisplayName(raw: string): FieldCheck<string> {
  const value = raw.trim();
  if (value.length === 0) return accept("");
  if (value.length > DISPLAY_NAME_MAX_LENGTH) {
    return reject("display_name_too_long", `${quoteValue(value)} is ${value.length} characters long; a device name has at most ${DISPLAY_NAME_MAX_LENGTH}`);
  }
  const at = value.search(NOT_NAME_CHAR);
  if (at !== -1) {
    return reject("display_name_invalid", `contains ${describeCharacter(value[at] as string)} at position ${at + 1}; a device name has letters, digits and hyphens only`);
  }
  if (/^[0-9]+$/.test(value)) return reject("display_name_invalid", `${quoteValue(value)} is digits only; a device name needs a letter or a hyphen`);
  return accept(value);
}
