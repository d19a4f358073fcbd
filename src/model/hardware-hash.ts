import { accept, reject, type FieldCheck } from "./field-check.js";
import { HARDWARE_HASH_MAX_BYTES, HARDWARE_HASH_MIN_BYTES } from "./limits.js";
import { describeCharacter } from "./printable.js";

const STANDARD_BODY = /^[A-Za-z0-9+/]+$/;
const ANY_ALPHABET_BODY = /^[A-Za-z0-9+/\-_]+$/;
const NOT_BASE64_CHAR = /[^A-Za-z0-9+/\-_]/;

function firstBadCharacter(value: string, body: string): string {
  const at = body.search(NOT_BASE64_CHAR);
  // An '=' inside the value is reported where it is; `body` is `value` without its trailing padding.
  const char = body[at] ?? value[at] ?? "";
  return `is not valid base64 (character ${describeCharacter(char)} at position ${at + 1})`;
}

/**
 * Checks and normalizes a hardware hash to standard, padded base64 (what Graph's Edm.Binary wants):
 * base64url is translated, missing or wrong padding is repaired (devices emit unpadded base64, and one unpadded
 * hash fails a whole Graph request), and the decoded size must lie within the documented bounds.
 * Regular expressions keep the common case (already valid) at native speed: hashes are ~5,000 characters.
 */
export function checkHardwareHash(raw: string): FieldCheck<string> {
  const value = raw.trim();
  if (value.length === 0) return reject("hash_missing", "is empty");
  let end = value.length;
  while (end > 0 && value.charCodeAt(end - 1) === 0x3d /* = */) end--;
  if (end === 0) return reject("hash_not_base64", "is only padding ('=')");
  let body = end === value.length ? value : value.slice(0, end);
  if (!STANDARD_BODY.test(body)) {
    if (!ANY_ALPHABET_BODY.test(body)) return reject("hash_not_base64", firstBadCharacter(value, body));
    body = body.replace(/-/g, "+").replace(/_/g, "/");
  }
  const remainder = body.length % 4;
  if (remainder === 1) {
    return reject(
      "hash_not_base64",
      `is not valid base64 (a length of ${body.length} characters is impossible: the value was cut or altered)`,
    );
  }
  const bytes = Math.floor((body.length * 3) / 4);
  if (bytes < HARDWARE_HASH_MIN_BYTES) {
    return reject("hash_too_short", `decodes to ${bytes} bytes; a hardware hash has at least ${HARDWARE_HASH_MIN_BYTES} bytes (truncated?)`);
  }
  if (bytes > HARDWARE_HASH_MAX_BYTES) {
    return reject("hash_too_long", `decodes to ${bytes} bytes; a hardware hash has at most ${HARDWARE_HASH_MAX_BYTES} bytes`);
  }
  return accept(remainder === 0 ? body : body + (remainder === 2 ? "==" : "="));
}
