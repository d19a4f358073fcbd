import { accept, reject, type FieldCheck } from "./field-check.js";
import { UPN_DOMAIN_MAX_LENGTH, UPN_LOCAL_MAX_LENGTH, UPN_MAX_LENGTH } from "./limits.js";
import { describeCharacter, quoteValue } from "./printable.js";

/** Characters Microsoft Entra allows before the @ of a user principal name. */
const LOCAL_BAD_CHAR = /[^A-Za-z0-9'.\-_!#^~]/;
const DOMAIN_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;

function explain(value: string): string | undefined {
  if (value.length > UPN_MAX_LENGTH) return `is ${value.length} characters long; the maximum is ${UPN_MAX_LENGTH}`;
  const at = value.indexOf("@");
  if (at === -1) return "has no '@'";
  if (value.indexOf("@", at + 1) !== -1) return "has more than one '@'";
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);
  if (local.length === 0) return "has nothing before the '@'";
  if (local.length > UPN_LOCAL_MAX_LENGTH) return `has ${local.length} characters before the '@'; the maximum is ${UPN_LOCAL_MAX_LENGTH}`;
  const bad = local.search(LOCAL_BAD_CHAR);
  if (bad !== -1) return `contains ${describeCharacter(local[bad] as string)}, which a user principal name cannot`;
  if (local.startsWith(".") || local.endsWith(".") || local.includes("..")) return "has a misplaced '.' before the '@'";
  if (domain.length === 0) return "has no domain after the '@'";
  if (domain.length > UPN_DOMAIN_MAX_LENGTH) return `has ${domain.length} characters after the '@'; the maximum is ${UPN_DOMAIN_MAX_LENGTH}`;
  const labels = domain.split(".");
  if (labels.length < 2 || !labels.every((label) => DOMAIN_LABEL.test(label))) return "has an invalid domain after the '@'";
  return undefined;
}

/** Optional; when present, a user principal name as Microsoft Entra accepts it (name@domain.tld). */
export function checkUserPrincipalName(raw: string): FieldCheck<string | undefined> {
  const value = raw.trim();
  if (value.length === 0) return accept(undefined);
  const problem = explain(value);
  if (problem !== undefined) {
    return reject("upn_invalid", `${quoteValue(value)} is not a valid user principal name: it ${problem} (expected name@domain.com)`);
  }
  return accept(value);
}
