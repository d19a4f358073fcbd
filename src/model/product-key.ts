import { accept, reject, type FieldCheck } from "./field-check.js";

const PRODUCT_KEY = /^[A-Z0-9]{5}(?:-[A-Z0-9]{5}){4}$/;
/** OEMs fill "Windows Product ID" with the 13-digit product key ID (PKID) instead of the key itself. */
const PRODUCT_KEY_ID = /^\d{13}$/;

/** Optional; when present, a product key (five dash-separated groups of five, upper-cased) or an OEM's 13-digit PKID. */
export function checkProductKey(raw: string): FieldCheck<string | undefined> {
  const value = raw.trim().toUpperCase();
  if (value.length === 0) return accept(undefined);
  // The key itself is not echoed: it is a licence secret.
  if (!PRODUCT_KEY.test(value) && !PRODUCT_KEY_ID.test(value)) {
    return reject(
      "product_key_format",
      "is neither a product key XXXXX-XXXXX-XXXXX-XXXXX-XXXXX (five groups of five letters or digits) nor a 13-digit product key ID",
    );
  }
  return accept(value);
}
