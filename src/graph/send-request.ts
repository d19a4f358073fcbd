/**
 * One Graph request, attempt after attempt: a fresh token and headers for each, the retry decision (retry/decide.ts)
 * on every failure, one forced token refresh after a 401, and one try without `$select` when the service refuses it.
 * Counts each attempt and tells the throttle observer about throttling and healthy answers.
 */
import { randomUUID } from "node:crypto";
import { anySignal, throwIfAborted, type Sleep } from "../util/abort.js";
import type { Logger } from "../util/logger.js";
import type { ThrottleObserver } from "./client.js";
import type { RequestInfo } from "./errors/attach.js";
import { failureError } from "./failure.js";
import type { GraphAccess } from "./permission-hint.js";
import { sendAttempt } from "./http-attempt.js";
import { hasSelect, withoutSelect } from "./query-options.js";
import { decideRetry } from "./retry/decide.js";
import { mergeRetryOptions, type RetryOptions } from "./retry/policy.js";
import type { ServiceTraits } from "./service-traits.js";
import type { StatsCounter } from "./stats.js";
import type { TokenProvider } from "./token-provider.js";
import type { Transport } from "./transport.js";
import type { GraphRequest, GraphResponse } from "./types.js";

/** What the client lends each request. */
export interface RequestContext {
  readonly tokens: TokenProvider;
  readonly transport: Transport;
  readonly userAgent: string;
  /** Per attempt. */
  readonly timeoutMs: number;
  /** The client's retry limits (a request may override them). */
  readonly retry: RetryOptions;
  /** The run: aborting it stops requests, backoff waits and token acquisition. */
  readonly signal: AbortSignal | undefined;
  readonly stats: StatsCounter;
  readonly observer: ThrottleObserver | undefined;
  readonly logger: Logger | undefined;
  readonly now: () => number;
  readonly random: () => number;
  readonly sleep: Sleep;
  readonly traits: ServiceTraits;
  /** App-only or a user's sign-in: a 401/403 says which permission to grant, and how. */
  readonly access?: GraphAccess;
}

const SUCCESS = (status: number): boolean => status >= 200 && status < 300;

/** Sends `request` to `requestUrl`, retrying per the retry policy; resolves with any 2xx, throws a typed error otherwise. */
export async function sendRequest<T>(context: RequestContext, request: GraphRequest, requestUrl: URL): Promise<GraphResponse<T>> {
  const { stats, observer, logger, tokens } = context;
  stats.add("requests");
  const signal = anySignal(context.signal, request.signal);
  throwIfAborted(signal);
  const idempotent = request.idempotent ?? request.method !== "POST";
  const retry = mergeRetryOptions(context.retry, request.retry);
  const callerHeaders = lowerCaseKeys(request.headers ?? {});
  const clientRequestId = callerHeaders["client-request-id"] ?? randomUUID();
  const body = request.body === undefined ? undefined : Buffer.from(JSON.stringify(request.body));
  const headers: Record<string, string> = {
    accept: "application/json",
    ...(body ? { "content-type": "application/json" } : {}),
    ...callerHeaders,
    "user-agent": context.userAgent,
    "client-request-id": clientRequestId,
    "return-client-request-id": "true",
  };
  // Once the service has shown it cannot take $select, no request carries it (it only trims the answer).
  let url = request.method === "GET" && !context.traits.works("selectWorks") ? withoutSelect(requestUrl) : requestUrl;
  /** Whether this request is trying again without the $select the service answered 400/5xx to. */
  let selectTrial = false;
  const info: RequestInfo = { method: request.method, url: url.href, clientRequestId, headers };
  const agent = context.transport.agentFor(url);
  let throttled = 0;
  let tokenRefreshed = false;

  for (let attempt = 1; ; attempt++) {
    // Asked per attempt: cached, but renewed before expiry, so long runs and long waits never use a dead token.
    const token = await tokens.getToken(context.signal ?? signal);
    stats.add("attempts");
    const result = await sendAttempt({
      url,
      method: request.method,
      headers: { ...headers, authorization: `Bearer ${token}` },
      body,
      agent,
      signal,
      timeoutMs: context.timeoutMs,
    });
    if (result.kind === "response") {
      stats.status(result.status);
      if (SUCCESS(result.status) || request.acceptStatuses?.includes(result.status)) {
        // A request refused with $select succeeded without it: none is sent again this run.
        if (selectTrial) context.traits.learn("selectWorks", false);
        observer?.onSuccess();
        return {
          status: result.status,
          body: result.body as T,
          headers: result.headers,
          requestId: result.headers["request-id"],
        };
      }
      if (request.method === "GET" && !selectTrial && hasSelect(url) && (result.status === 400 || result.status >= 500)) {
        // $select has answered 500 on the real service: try once without it before treating this as a failure.
        selectTrial = true;
        url = withoutSelect(url);
        logger?.warn({ method: request.method, path: url.pathname, clientRequestId, status: result.status }, "Graph refused a request with $select; trying it without");
        continue;
      }
    } else {
      stats.add("networkErrors");
    }

    const decision = decideRetry(
      {
        attempt,
        throttled,
        status: result.kind === "response" ? result.status : undefined,
        error: result.kind === "failure" ? result.failure : undefined,
        headers: result.kind === "response" ? result.headers : undefined,
        now: context.now(),
        idempotent,
        tokenRefreshed,
      },
      retry,
      context.random,
    );
    const logFields = {
      method: request.method,
      path: url.pathname,
      clientRequestId,
      attempt,
      status: result.kind === "response" ? result.status : undefined,
      networkError: result.kind === "failure" ? (result.failure.code ?? result.failure.kind) : undefined,
    };
    if (decision.kind === "retry" && decision.cause === "throttled") {
      throttled += 1;
      stats.add("throttled");
      observer?.onThrottle();
    }
    switch (decision.kind) {
      case "retry":
        stats.add("retries");
        // Throttling is expected under load (the run summary counts it); other failures deserve a warning.
        if (decision.cause === "throttled") logger?.debug({ ...logFields, delayMs: decision.delayMs }, "throttled: waiting");
        else logger?.warn({ ...logFields, delayMs: decision.delayMs }, "retrying Graph request");
        await context.sleep(decision.delayMs, signal);
        continue;
      case "refreshToken":
        tokenRefreshed = true;
        stats.add("tokenRefreshes");
        logger?.warn(logFields, "Graph answered 401: refreshing the access token");
        await tokens.refresh(token, context.signal ?? signal);
        continue;
      case "fail": {
        if (result.kind === "response" && result.status === 429) {
          stats.add("throttled");
          observer?.onThrottle();
        }
        const error = failureError(decision.reason, info, result, attempt, context.timeoutMs, context.access);
        logger?.debug({ ...logFields, reason: decision.reason }, "Graph request failed");
        throw error;
      }
    }
  }
}

function lowerCaseKeys(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}
