import { AuthenticationError } from "../errors.js";
import { scrubText } from "../redact.js";

/** What to set when no credential is configured (the fallback chain found none that works). */
export const NO_CREDENTIAL =
  "no credential is configured: sign in as yourself with --device-code (or --interactive), or as an app with --tenant and --client-id " +
  "plus AZURE_CLIENT_SECRET (or AZURE_CLIENT_SECRET_FILE) or --certificate, or use --managed-identity " +
  "(Azure CLI and PowerShell sign-ins carry fixed scopes without the Intune permission)";

// The service's codes (and MSAL's) say what went wrong; these say what to do about it.
const HINTS: ReadonlyArray<readonly [RegExp, string]> = [
  [/AADSTS90002\b/, "the tenant was not found: check --tenant (the tenant id or one of its domains) and --cloud"],
  [/AADSTS900023\b/, "--tenant is not a tenant id or domain"],
  [/AADSTS7000215\b/, "the client secret is not valid: AZURE_CLIENT_SECRET must be the secret's Value (not its Secret ID), and not expired"],
  [/AADSTS7000216\b/, "no client secret reached the service: set AZURE_CLIENT_SECRET or AZURE_CLIENT_SECRET_FILE, or use --certificate"],
  [/AADSTS700016\b/, "unknown client id: check --client-id (the app's Application (client) ID) and that the app is in this tenant"],
  [/AADSTS700027\b|AADSTS700023\b/, "the certificate is not one of the app's: upload its public part to the app registration (Certificates & secrets)"],
  [/unauthorized_client|invalid_client/, "the client id is not known in this tenant or may not sign users in: check --client-id (your public client app, with public client flows allowed) or leave it out for the default"],
  [/\b(ENOENT|EACCES|EPERM|EISDIR)\b.*open|PEM-encoded|private key/i, "the certificate cannot be used: --certificate must name a readable PEM file with the certificate and its private key"],
  [/authorization_declined/, "the sign-in was declined: run the command again and approve it"],
  [/expired_token|device_code_expired|code expired/i, "the code expired before the sign-in was completed: run the command again and enter the code in time"],
  [/endpoints_resolution_error|network_error/, "could not reach the login host: check the authority host, its CA certificate and the proxy"],
];

/** The fallback chain failed as a whole: every member was unavailable (nothing configured). */
function isNoCredential(error: unknown): boolean {
  const name = error instanceof Error ? error.name : "";
  return name === "AggregateAuthenticationError" || (name === "CredentialUnavailableError" && /ChainedTokenCredential/.test((error as Error).message));
}

/**
 * Turns whatever a credential threw into a one-line AuthenticationError that names the credential and the
 * service's reason (AADSTS code) but never a secret, token or key, even if the underlying message echoed one.
 */
export function toAuthenticationError(error: unknown, secrets: ReadonlyArray<string | undefined>): AuthenticationError {
  if (error instanceof AuthenticationError) return error;
  if (isNoCredential(error)) {
    const result = new AuthenticationError(`authentication failed: ${NO_CREDENTIAL}`);
    Object.defineProperty(result, "cause", { value: error, enumerable: false, configurable: true, writable: true });
    return result;
  }
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
