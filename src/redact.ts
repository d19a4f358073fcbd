/** Keeping secrets out of logs and error messages: key names to censor and text patterns to scrub. */

/** Property names whose values are never printed, compared case-insensitively. */
export const SECRET_KEYS: readonly string[] = [
  "authorization",
  "proxy-authorization",
  "cookie",
  "set-cookie",
  "clientSecret",
  "client_secret",
  "access_token",
  "accessToken",
  "refresh_token",
  "refreshToken",
  "id_token",
  "idToken",
  "token",
  "password",
  "deviceAccountPassword",
  "certificatePassword",
  "privateKey",
  "private_key",
  "key",
  "client_assertion",
  "clientAssertion",
];

export const CENSOR = "[redacted]";

const SECRET_KEY_SET = new Set(SECRET_KEYS.map((key) => key.toLowerCase()));

export function isSecretKey(key: string): boolean {
  return SECRET_KEY_SET.has(key.toLowerCase());
}

const TEXT_PATTERNS: ReadonlyArray<readonly [RegExp, string]> = [
  // PEM blocks (private keys, certificates pasted into messages).
  [/-----BEGIN [A-Z0-9 ]+-----[\s\S]*?(-----END [A-Z0-9 ]+-----|$)/g, CENSOR],
  // Bearer and Basic credentials in header-like text.
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, `$1 ${CENSOR}`],
  // JWTs (access tokens, client assertions): three base64url segments starting with a JSON header.
  [/\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, CENSOR],
  // key=value forms in URLs and form bodies.
  [/\b(client_secret|access_token|refresh_token|client_assertion|password)=[^&\s"']+/gi, `$1=${CENSOR}`],
];

/** Very short values would censor ordinary words; real secrets are long. */
const SHORTEST_SECRET = 6;

/**
 * This process's configured secret values (a client secret, its file's content, a certificate password): every printer
 * (the log, stderr and stdout, reports, error notes) scrubs them through `scrubText`, whatever the text's source.
 */
const knownSecrets = new Set<string>();

/** Adds configured secret values to what every printed text is scrubbed of, for the rest of the process. */
export function rememberSecrets(...values: ReadonlyArray<string | undefined>): void {
  for (const value of values) {
    if (value === undefined) continue;
    // As written raw, trimmed, inside a JSON string and inside a quoted CSV value.
    const trimmed = value.trim();
    for (const variant of [value, trimmed, JSON.stringify(trimmed).slice(1, -1), trimmed.replaceAll('"', '""')]) if (variant.length >= SHORTEST_SECRET) knownSecrets.add(variant);
  }
}

/** Whether `value` (trimmed) is one of the remembered secrets: such a value is never sent nor written anywhere. */
export function isRememberedSecret(value: string): boolean {
  const trimmed = value.trim();
  return trimmed.length >= SHORTEST_SECRET && knownSecrets.has(trimmed);
}

/** Secrets shorter than this are censored only where they stand alone (see censor). */
const STANDALONE_BELOW = 16;

/**
 * `text` with every occurrence of `secret` censored. A short one (a weak certificate password) could be part of an
 * ordinary word or number in the output: it is censored only where it stands alone, so JSON and counts stay intact.
 */
function censor(text: string, secret: string): string {
  if (secret.length >= STANDALONE_BELOW) return text.split(secret).join(CENSOR);
  const standalone = new RegExp(`(?<![A-Za-z0-9])${secret.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?![A-Za-z0-9])`, "g");
  return text.replace(standalone, CENSOR);
}


/** Forgets the remembered secrets (tests that run several configurations in one process). */
export function forgetSecrets(): void {
  knownSecrets.clear();
}

/** A value quoted shortened (`abcdef…`) still shows the secret's beginning: censor such prefixes too. */
function censorShortened(text: string, secret: string): string {
  if (!text.includes("…")) return text;
  let result = text;
  for (let length = secret.length - 1; length >= SHORTEST_SECRET; length--) result = result.split(`${secret.slice(0, length)}…`).join(`${CENSOR}…`);
  return result;
}

/** Removes the remembered secret values only: for text that is otherwise printed as is (stdout, stderr, reports). */
export function scrubSecrets(text: string): string {
  if (knownSecrets.size === 0) return text;
  let result = text;
  for (const secret of [...knownSecrets].sort((a, b) => b.length - a.length)) result = censorShortened(censor(result, secret), secret);
  return result;
}

/** Removes tokens, key material, the remembered secrets and the given known secret values from free text. */
export function scrubText(text: string, secrets: ReadonlyArray<string | undefined> = []): string {
  let result = text;
  // Longest first: a secret that contains another one is censored whole.
  const all = [...new Set([...knownSecrets, ...secrets])].sort((a, b) => (b?.length ?? 0) - (a?.length ?? 0));
  for (const secret of all) {
    if (secret && secret.length >= SHORTEST_SECRET) result = censorShortened(censor(result, secret), secret);
  }
  for (const [pattern, replacement] of TEXT_PATTERNS) result = result.replace(pattern, replacement);
  return result;
}

/** A copy of `value` with secret keys censored and strings scrubbed, at any depth (cycles cut). */
export function scrubDeep(value: unknown, seen: WeakSet<object> = new WeakSet()): unknown {
  if (typeof value === "string") return scrubText(value);
  if (typeof value !== "object" || value === null) return value;
  if (seen.has(value)) return "[circular]";
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => scrubDeep(item, seen));
  const out: Record<string, unknown> = {};
  // Errors keep their type, message, stack and cause (own enumerable fields only: request/response stay hidden).
  if (value instanceof Error) {
    out.type = value.name;
    out.message = scrubText(value.message);
    if (value.stack) out.stack = scrubText(value.stack);
    const cause: unknown = (value as { cause?: unknown }).cause;
    if (cause !== undefined) out.cause = scrubDeep(cause, seen);
  }
  for (const [key, item] of Object.entries(value)) {
    out[key] = isSecretKey(key) ? CENSOR : scrubDeep(item, seen);
  }
  return out;
}
