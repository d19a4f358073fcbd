/** What went wrong below HTTP, reduced to what matters for a retry: did the request possibly reach the server? */

export type TransportFailureKind =
  /** Nothing was sent (refused, DNS, unreachable): safe to resend any request. */
  | "connect"
  /** The TLS handshake failed (untrusted or wrong certificate): resending will not help. */
  | "tls"
  /** The connection broke after the request may have been sent (reset, hang-up, broken body). */
  | "sent"
  /** The per-attempt timeout fired: the request may have been processed. */
  | "timeout";

export interface TransportFailure {
  readonly kind: TransportFailureKind;
  /** The system or TLS error code, e.g. "ECONNRESET". */
  readonly code?: string;
}

const CONNECT_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EADDRNOTAVAIL",
  "EADDRINUSE",
]);
const CONNECT_SYSCALLS = new Set(["connect", "getaddrinfo"]);
const TLS_CODE = /^(CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|ERR_TLS_|ERR_SSL_|HOSTNAME_MISMATCH|ERR_OSSL_)/;

function field(error: unknown, name: string): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const value = (error as Record<string, unknown>)[name];
  return typeof value === "string" ? value : undefined;
}

/**
 * Classifies a network-level error (node-fetch FetchError, Node system error, TLS error).
 * Anything not provably "never sent" is treated as possibly sent: an unknown outcome must not be resent blindly.
 */
export function classifyTransportError(error: unknown): TransportFailure {
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  const code = field(error, "code") ?? field(cause, "code");
  const syscall = field(error, "erroredSysCall") ?? field(error, "syscall") ?? field(cause, "syscall");
  if (code !== undefined && TLS_CODE.test(code)) return { kind: "tls", code };
  if ((code !== undefined && CONNECT_CODES.has(code)) || (syscall !== undefined && CONNECT_SYSCALLS.has(syscall))) {
    return code === undefined ? { kind: "connect" } : { kind: "connect", code };
  }
  return code === undefined ? { kind: "sent" } : { kind: "sent", code };
}
