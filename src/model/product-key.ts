import { accept, reject, type FieldCheck } from "./field-check.js";

const PRODUCT_KEY = /^[A-Z0-9]{5}(?:-[A-Z0-9]{5}){4}$/;

/** Optional; when present, five dash-separated groups of five letters or digits (upper-cased). */
export function checkProductKey(raw: string): FieldCheck<string | undefined> {
  const value = raw.trim().toUpperCase();
  if (value.length === 0) return accept(undefined);
  // The key itself is not echoed: it is a licence secret.
  if (!PRODUCT_KEY.test(value)) {
    return reject("product_key_format", "is not of the form XXXXX-XXXXX-XXXXX-XXXXX-XXXXX (five groups of five letters or digits)");
  }
  return accept(value);
}
