import { ServiceError } from "../../errors.js";
import { attachHidden, describeRequest, type RequestInfo } from "./attach.js";

/**
 * A non-idempotent request (a POST) may or may not have been processed: the connection broke or timed out after it
 * was sent, or a gateway answered 5xx. It was NOT resent; the caller must find out whether it landed (by importId).
 */
export class OutcomeUnknownError extends ServiceError {
  declare readonly request: RequestInfo;
  readonly clientRequestId: string;

  constructor(request: RequestInfo, why: string, options?: { cause?: unknown; status?: number }) {
    super(
      `outcome of ${describeRequest(request)} is unknown (${why}); it was not resent [client-request-id ${request.clientRequestId}]`,
      options?.status,
      "OutcomeUnknown",
      options,
    );
    this.clientRequestId = request.clientRequestId;
    attachHidden(this, { request });
  }
}
