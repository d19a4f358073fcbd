/**
 * Token requests retried with the policy Graph calls use (retry/decide.ts: Retry-After honoured, jittered backoff),
 * under a deadline. The Azure SDK's own retry gives up after 4 tries in a few seconds and MSAL turns a 503 into
 * "[object Object]", so the credential's pipeline retry is switched off and this policy retries instead; when it
 * gives up it keeps a one-line description of what the login host did, for the sign-in error.
 */
import { STATUS_CODES } from "node:http";
import type { TokenCredentialOptions } from "@azure/identity";
import { sleep as realSleep, type Sleep } from "../util/abort.js";
import { decideRetry } from "./retry/decide.js";
import { normalizeRetryOptions, type RetryOptions } from "./retry/policy.js";
import { classifyTransportError, type TransportFailure } from "./retry/transport-failure.js";
import { tlsHint } from "./tls-failure.js";

type AdditionalPolicy = NonNullable<TokenCredentialOptions["additionalPolicies"]>[number];
type SendRequest = AdditionalPolicy["policy"]["sendRequest"];
type PipelineRequest = Parameters<SendRequest>[0];
type PipelineResponse = Awaited<ReturnType<SendRequest>>;

/** No sign-in waits longer than this for the login host to recover. */
export const SIGN_IN_DEADLINE_MS = 180_000;

export interface TokenEndpointRetryOptions {
  readonly retry?: Partial<RetryOptions>;
  readonly deadlineMs?: number;
  readonly now?: () => number;
  readonly sleep?: Sleep;
  readonly random?: () => number;
}

/** The statuses a retry may change: everything else (2xx, Entra's 4xx answers) goes to MSAL as it came. */
function retryable(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

export class TokenEndpointRetry {
  readonly #retry: RetryOptions;
  readonly #deadlineMs: number;
  readonly #now: () => number;
  readonly #sleep: Sleep;
  readonly #random: () => number;
  #failure: string | undefined;
  /** Attempts sent, for tests and logs. */
  attempts = 0;

  constructor(options: TokenEndpointRetryOptions = {}) {
    this.#retry = normalizeRetryOptions(options.retry);
    this.#deadlineMs = options.deadlineMs ?? SIGN_IN_DEADLINE_MS;
    this.#now = options.now ?? Date.now;
    this.#sleep = options.sleep ?? realSleep;
    this.#random = options.random ?? Math.random;
  }

  /** The pipeline policy to add to a credential (position perCall). */
  policy(): AdditionalPolicy {
    return { position: "perCall", policy: { name: "autopilotImportTokenRetry", sendRequest: (request, next) => this.#send(request, next) } };
  }

  /** Why the last token request failed after its retries, once (undefined when it did not). */
  takeFailure(): string | undefined {
    const failure = this.#failure;
    this.#failure = undefined;
    return failure;
  }

  async #send(request: PipelineRequest, next: (request: PipelineRequest) => Promise<PipelineResponse>): Promise<PipelineResponse> {
    // Managed identity endpoints are plain http on the host, with the SDK's own retry.
    if (!request.url.startsWith("https:")) return next(request);
    const started = this.#now();
    this.#failure = undefined;
    let throttled = 0;
    for (let attempt = 1; ; attempt++) {
      let response: PipelineResponse | undefined;
      let error: unknown;
      let failure: TransportFailure | undefined;
      this.attempts += 1;
      try {
        response = await next(request);
        if (!retryable(response.status)) return response;
      } catch (caught) {
        if (request.abortSignal?.aborted) throw caught;
        error = caught;
        failure = classifyTransportError(caught);
      }
      const decision = decideRetry(
        { attempt, throttled, status: response?.status, error: failure, headers: response?.headers.toJSON(), now: this.#now(), idempotent: true, tokenRefreshed: false },
        this.#retry,
        this.#random,
      );
      if (decision.kind === "retry" && this.#now() + decision.delayMs - started <= this.#deadlineMs) {
        if (decision.cause === "throttled") throttled += 1;
        // The SDK passes a real AbortSignal (its type only promises the AbortSignalLike subset).
        await this.#sleep(decision.delayMs, (request.abortSignal as AbortSignal | undefined) ?? new AbortController().signal);
        continue;
      }
      this.#failure = describeFailure(new URL(request.url).host, attempt, this.#now() - started, response, failure);
      if (response) return response;
      throw error;
    }
  }
}

/** One line: what the login host answered (or how the connection failed), how often, and the service's own words. */
export function describeFailure(host: string, attempts: number, elapsedMs: number, response: PipelineResponse | undefined, failure: TransportFailure | undefined): string {
  const tries = `${attempts} attempt${attempts === 1 ? "" : "s"} in ${(elapsedMs / 1000).toFixed(1)} s`;
  if (response) {
    const reason = serviceReason(response.bodyAsText);
    const status = `${response.status}${STATUS_CODES[response.status] ? ` ${STATUS_CODES[response.status]}` : ""}`;
    return `the login host ${host} answered ${status} to ${tries}${reason ? `: ${reason}` : ""} (the sign-in service is unavailable: try again later)`;
  }
  const tls = tlsHint(failure?.code, host, "--authority-host");
  if (tls) return `the TLS connection to the login host ${host} failed (${failure?.code ?? "TLS"}): ${tls}`;
  return `the connection to the login host ${host} failed (${failure?.code ?? "network error"}) on ${tries}: check the authority host, the network and the proxy`;
}

/** Entra's error_description, Graph's error.message, or a short piece of a text body (a proxy's page). */
function serviceReason(body: string | null | undefined): string | undefined {
  if (!body) return undefined;
  let text: string | undefined;
  try {
    const parsed = JSON.parse(body) as { error_description?: unknown; error?: { message?: unknown } | unknown; message?: unknown };
    const nested = typeof parsed.error === "object" && parsed.error !== null ? (parsed.error as { message?: unknown }).message : undefined;
    const candidate = parsed.error_description ?? nested ?? parsed.message ?? parsed.error;
    text = typeof candidate === "string" ? candidate : undefined;
  } catch {
    text = /<[a-z!]/i.test(body) ? undefined : body;
  }
  const line = text?.split(/\r?\n/)[0]?.replace(/\s+/g, " ").trim();
  if (!line) return undefined;
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}
