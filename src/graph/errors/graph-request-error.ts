import { ServiceError } from "../../errors.js";
import { attachHidden, describeRequest, type RequestInfo, type ResponseInfo } from "./attach.js";

/** Graph answered with an error status we do not (or no longer) retry. */
export class GraphRequestError extends ServiceError {
  declare readonly request: RequestInfo;
  declare readonly response: ResponseInfo;
  /** Graph's `error.code`, e.g. "BadRequest". */
  readonly graphCode: string | undefined;
  /** Graph's `error.message`. */
  readonly graphMessage: string | undefined;
  /** The service's request-id, for support cases. */
  readonly requestId: string | undefined;
  readonly clientRequestId: string;

  /** `hint`: what to do about it, told after the service's words (e.g. the permission a 403 lacks). */
  constructor(request: RequestInfo, response: ResponseInfo, options?: { cause?: unknown; hint?: string }) {
    const { code, message } = graphError(response.body);
    const requestId = response.headers["request-id"] ?? innerRequestId(response.body);
    const detail = code || message ? ` (${[code, message].filter(Boolean).join(": ")})` : "";
    super(
      oneLine(`Graph request failed with status ${response.status}${detail}: ${describeRequest(request)}` +
        (requestId ? ` [request-id ${requestId}]` : "")) + (options?.hint ? `; ${options.hint}` : ""),
      response.status,
      code,
      options,
    );
    this.graphCode = code;
    this.graphMessage = message;
    this.requestId = requestId;
    this.clientRequestId = request.clientRequestId;
    attachHidden(this, { request, response });
  }
}

function graphError(body: unknown): { code: string | undefined; message: string | undefined } {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  if (typeof error !== "object" || error === null) return { code: undefined, message: undefined };
  return {
    code: typeof error.code === "string" ? error.code : undefined,
    message: typeof error.message === "string" ? error.message : undefined,
  };
}

function innerRequestId(body: unknown): string | undefined {
  const inner = (body as { error?: { innerError?: Record<string, unknown> } } | undefined)?.error?.innerError;
  const id = inner?.["request-id"];
  return typeof id === "string" ? id : undefined;
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > 500 ? `${flat.slice(0, 497)}...` : flat;
}
