import { AuthenticationError } from "../errors.js";
import { scrubText } from "../redact.js";

// MSAL's codes for "never reached the login host" say nothing about the usual causes.
const HINTS: ReadonlyArray<readonly [RegExp, string]> = [
  [/endpoints_resolution_error|network_error/, "could not reach the login host: check the authority host, its CA certificate and the proxy"],
];

/**
 * Turns whatever a credential threw into a one-line AuthenticationError that names the credential and the
 * service's reason (AADSTS code) but never a secret, token or key, even if the underlying message echoed one.
 */
export function toAuthenticationError(error: unknown, secrets: ReadonlyArray<string | undefined>): AuthenticationError {
  if (error instanceof AuthenticationError) return error;
  const name = error instanceof Error ? error.name : "Error";
  const raw = error instanceof Error ? error.message : String(error);
  const firstLines = raw
    .split(/\r?\n/)
    // Entra appends trace/correlation ids and timestamps on their own lines: useful for support, noise in one line.
    .filter((line) => !/^\s*(Trace ID|Correlation ID|Timestamp):/i.test(line))
    .join(" ");
  let text = scrubText(firstLines, secrets).replace(/\s+/g, " ").trim();
  if (text.length > 400) text = `${text.slice(0, 397)}...`;
  const hint = HINTS.find(([pattern]) => pattern.test(text))?.[1];
  if (hint) text = `${text} (${hint})`;
  const label = name === "Error" || name === "AuthenticationError" ? "" : ` (${name})`;
  // The cause is kept for debugging but hidden from enumeration: its message is the unscrubbed one.
  const result = new AuthenticationError(`authentication failed${label}: ${text || "no reason given"}`);
  Object.defineProperty(result, "cause", { value: error, enumerable: false, configurable: true, writable: true });
  return result;
}
