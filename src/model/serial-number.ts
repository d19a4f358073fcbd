import { accept, reject, type FieldCheck } from "./field-check.js";
import { SERIAL_NUMBER_MAX_LENGTH } from "./limits.js";
import { describeCharacter } from "./printable.js";

const NOT_PRINTABLE_ASCII = /[^\x20-\x7e]/;

/** Serial numbers are SMBIOS strings: required, printable ASCII, trimmed, of sane length. */
export function checkSerialNumber(raw: string): FieldCheck<string> {
  const value = raw.trim();
  if (value.length === 0) return reject("serial_missing", "is empty");
  if (value.length > SERIAL_NUMBER_MAX_LENGTH) {
    return reject("serial_too_long", `is ${value.length} characters long; the maximum is ${SERIAL_NUMBER_MAX_LENGTH}`);
  }
  const at = value.search(NOT_PRINTABLE_ASCII);
  if (at !== -1) {
    return reject(
      "serial_not_printable",
      `contains ${describeCharacter(value[at] as string)} at position ${at + 1}; serial numbers are printable ASCII`,
    );
  }
  return accept(value);
}
