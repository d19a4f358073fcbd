/** Graph's error shape, and a thrown form of it so route code can bail out from any depth. */

export interface ErrorContext {
  readonly requestId: string;
  readonly clientRequestId: string;
  /** Emulated time of the answer. */
  readonly now: number;
}

/** `2024-05-01T12:00:00`: the innerError date format Graph uses (no fraction, no zone). */
function graphDate(now: number): string {
  return new Date(now).toISOString().slice(0, 19);
}

export function graphErrorBody(code: string, message: string, context: ErrorContext): unknown {
  return {
    error: {
      code,
      message,
      innerError: {
        date: graphDate(context.now),
        "request-id": context.requestId,
        "client-request-id": context.clientRequestId,
      },
    },
  };
}

/** Intune answers many errors with a JSON document serialized into `message`; clients must not parse messages. */
export function intuneMessage(context: ErrorContext, url: string, phrase = "", lead = "An error has occurred"): string {
  return JSON.stringify({
    _version: 3,
    Message: `${lead} - Operation ID (for customer support): 00000000-0000-0000-0000-000000000000 - Activity ID: ${context.requestId} - Url: ${url} - CustomApiErrorPhrase: ${phrase}`,
    CustomApiErrorPhrase: phrase,
    RetryAfter: null,
    ErrorSourceService: "",
    HttpHeaders: "{}",
  });
}

export class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = "GraphError";
  }
}

export const badRequest = (message: string): GraphError => new GraphError(400, "BadRequest", message);

export const notFound = (message = "Resource not found"): GraphError => new GraphError(404, "ResourceNotFound", message);

/** What Graph answers for a path segment it does not route. */
export const unknownSegment = (segment: string): GraphError =>
  new GraphError(400, "BadRequest", `Resource not found for the segment '${segment}'.`);

export const methodNotAllowed = (): GraphError =>
  new GraphError(405, "MethodNotAllowed", "The requested resource does not support http method used.");
