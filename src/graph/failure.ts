import { AuthenticationError } from "../errors.js";
import type { RequestInfo } from "./errors/attach.js";
import { GraphNetworkError } from "./errors/graph-network-error.js";
import { GraphRequestError } from "./errors/graph-request-error.js";
import { OutcomeUnknownError } from "./errors/outcome-unknown-error.js";
import type { AttemptResult } from "./http-attempt.js";
import { permissionHint, type GraphAccess } from "./permission-hint.js";
import type { RetryDecision } from "./retry/decide.js";

/** The typed error for a request the retry decision gave up on. */
export function failureError(
  reason: Extract<RetryDecision, { kind: "fail" }>["reason"],
  request: RequestInfo,
  result: AttemptResult,
  attempts: number,
  timeoutMs: number,
  access: GraphAccess = "application",
): Error {
  if (result.kind === "failure") {
    const { failure, error } = result;
    if (reason === "outcomeUnknown") {
      const why = failure.kind === "timeout" ? `no answer within ${timeoutMs} ms` : `connection failed after sending (${failure.code ?? "network error"})`;
      return new OutcomeUnknownError(request, why, { cause: error });
    }
    return new GraphNetworkError(request, failure.code, attempts, { cause: error });
  }
  const response = { status: result.status, headers: result.headers, body: result.body };
  // A refusal of the sign-in itself names the permission it lacks and how to grant it.
  const refused = result.status === 401 || result.status === 403;
  const httpError = new GraphRequestError(request, response, refused ? { hint: permissionHint(access) } : undefined);
  if (reason === "outcomeUnknown") {
    return new OutcomeUnknownError(request, `status ${result.status}`, { cause: httpError, status: result.status });
  }
  if (reason === "unauthorized") {
    return new AuthenticationError(`Graph rejected a freshly acquired access token: ${httpError.message}`, { cause: httpError });
  }
  return httpError;
}
