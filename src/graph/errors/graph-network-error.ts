import { ServiceError } from "../../errors.js";
import { tlsHint } from "../tls-failure.js";
import { attachHidden, describeRequest, type RequestInfo } from "./attach.js";

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return "the Graph host";
  }
}

/** The request never got a usable answer: connection errors or timeouts outlasted the retries, or TLS failed. */
export class GraphNetworkError extends ServiceError {
  declare readonly request: RequestInfo;
  /** "ECONNREFUSED", "ETIMEDOUT" (our per-attempt timeout), "DEPTH_ZERO_SELF_SIGNED_CERT", ... */
  readonly networkCode: string | undefined;
  readonly attempts: number;

  constructor(request: RequestInfo, networkCode: string | undefined, attempts: number, options?: { cause?: unknown }) {
    const tls = tlsHint(networkCode, hostOf(request.url), "--graph-url");
    const hint = tls === undefined ? "" : ` (${tls})`;
    super(
      `${describeRequest(request)} failed after ${attempts} attempt${attempts === 1 ? "" : "s"}: ${networkCode ?? "network error"}${hint}`,
      undefined,
      networkCode,
      options,
    );
    this.networkCode = networkCode;
    this.attempts = attempts;
    attachHidden(this, { request });
  }
}
