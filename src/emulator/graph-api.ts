import { randomUUID } from "node:crypto";
import { GraphError, badRequest, graphErrorBody } from "./graph-error.js";
import type { EmulatorState, GraphCall, GraphResult, GraphVersion, Route } from "./graph-call.js";
import type { Scenario } from "./scenario.js";
import { isRecord } from "./edm.js";
import { batchAnswer } from "./quirks/batch-outcome.js";
import { retryAfterValue } from "./quirks/retry-after.js";
import { matchRoute, pathSegments } from "./router.js";
import { managedRoutes } from "./routes/managed.js";
import { registeredRoutes } from "./routes/registered.js";
import { settingsRoutes } from "./routes/settings.js";
import { stagedRoutes } from "./routes/staged.js";
import { uploadRoutes } from "./routes/uploads.js";
import { profileRoutes } from "./routes/profiles.js";
import { directoryRoutes } from "./routes/directory.js";

const ROUTES: readonly Route[] = [...stagedRoutes, ...uploadRoutes, ...registeredRoutes, ...managedRoutes, ...settingsRoutes, ...profileRoutes, ...directoryRoutes];
const WRITE_METHODS: ReadonlySet<string> = new Set(["POST", "PATCH", "PUT", "DELETE"]);
const BATCH_METHODS: ReadonlySet<string> = new Set(["GET", "POST", "PATCH", "PUT", "DELETE"]);
export const JSON_CONTENT_TYPE = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";

export interface Executed {
  readonly result: GraphResult;
  /** Stats key: "METHOD /version/template". */
  readonly route: string;
}

/** The stats key of a request, without running it (for requests answered before they reach a handler). */
export function describeRoute(method: string, version: GraphVersion, segments: readonly string[], scenario: Scenario): string {
  if (segments.length === 1 && segments[0] === "$batch") return `${method} /${version}/$batch`;
  try {
    return matchRoute(ROUTES, method, version, segments, scenario).key;
  } catch {
    return `${method} /${version}/(unmatched)`;
  }
}

/** Turns a thrown GraphError into Graph's error answer. */
export function errorResult(error: GraphError, call: Pick<GraphCall, "requestId" | "clientRequestId">, now: number): GraphResult {
  return {
    status: error.status,
    body: graphErrorBody(error.code, error.message, { requestId: call.requestId, clientRequestId: call.clientRequestId, now }),
    headers: error.headers,
  };
}

/**
 * Runs one authenticated Graph call: route, throttle (per app per tenant), handle.
 * Synchronous: the whole tenant lives in memory, so a call is applied atomically.
 * The caller counts it (the server may still turn the answer into a fault).
 */
export function executeGraph(call: GraphCall, state: EmulatorState): Executed {
  const isBatch = call.segments.length === 1 && call.segments[0] === "$batch";
  let route = `${call.method} /${call.version}/(unmatched)`;
  let result: GraphResult;
  try {
    if (isBatch) {
      route = `${call.method} /${call.version}/$batch`;
      if (call.method !== "POST") throw new GraphError(405, "MethodNotAllowed", "The requested resource does not support http method used.");
      result = batch(call, state);
    } else {
      const match = matchRoute(ROUTES, call.method, call.version, call.segments, state.scenario());
      route = match.key;
      result = throttled(call, state) ?? match.handler(call, match.params, state);
    }
  } catch (error) {
    if (!(error instanceof GraphError)) throw error;
    result = errorResult(error, call, state.clock.now());
  }
  return { result, route };
}

function throttled(call: GraphCall, state: EmulatorState): GraphResult | undefined {
  const { throttling, service } = state.scenario();
  if (!throttling.enabled) return undefined;
  const key = `${call.principal.tenantId}/${call.principal.clientId}`;
  const decision = state.throttler.check(key, WRITE_METHODS.has(call.method), state.clock.now());
  if (decision.allowed) return undefined;
  const stats = state.stats();
  stats.throttled.total += 1;
  stats.throttled[decision.bucket] += 1;
  const retryAfter = retryAfterValue(state.clock.toRealMs(decision.waitMs), service.retryAfter, state.serviceRandom());
  const limit = `Too many requests. The ${decision.bucket} limit for this application in this tenant is exceeded`;
  const message = retryAfter === undefined ? `${limit}.` : `${limit}; retry after ${retryAfter} seconds.`;
  const headers: Record<string, string> = retryAfter === undefined ? {} : { "retry-after": retryAfter };
  return errorResult(new GraphError(429, "TooManyRequests", message, headers), call, state.clock.now());
}

interface BatchItem {
  readonly id: string;
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: unknown;
  readonly dependsOn: readonly string[];
}

function readBatch(body: unknown, max: number): BatchItem[] {
  if (!isRecord(body) || !Array.isArray(body["requests"])) throw badRequest("Invalid batch payload format: a 'requests' array is required.");
  const requests: unknown[] = body["requests"];
  if (requests.length === 0) throw badRequest("Invalid batch payload format: the batch contains no requests.");
  if (requests.length > max) throw badRequest(`The number of requests in the batch (${requests.length}) exceeds the limit of ${max}.`);
  const ids = new Set<string>();
  return requests.map((raw) => {
    if (!isRecord(raw)) throw badRequest("Invalid batch payload format: each request must be an object.");
    const { id, method, url, headers, body: subBody, dependsOn } = raw;
    if (typeof id !== "string" || id === "") throw badRequest("Invalid batch payload format: each request needs a string 'id'.");
    if (ids.has(id)) throw badRequest(`Invalid batch payload format: duplicate request id '${id}'.`);
    if (typeof method !== "string" || !BATCH_METHODS.has(method.toUpperCase())) throw badRequest(`Invalid batch payload format: invalid method for request '${id}'.`);
    if (typeof url !== "string" || url === "") throw badRequest(`Invalid batch payload format: request '${id}' needs a relative 'url'.`);
    const depends = dependsOn === undefined ? [] : dependsOn;
    if (!Array.isArray(depends) || depends.some((item) => typeof item !== "string" || !ids.has(item))) {
      throw badRequest(`Invalid batch payload format: 'dependsOn' of request '${id}' must name earlier requests.`);
    }
    ids.add(id);
    const headerMap: Record<string, string> = {};
    if (isRecord(headers)) for (const [name, value] of Object.entries(headers)) headerMap[name.toLowerCase()] = String(value);
    return { id, method: method.toUpperCase(), url, headers: headerMap, body: subBody, dependsOn: depends as string[] };
  });
}

/** JSON batching: each sub-request goes through the same routing and throttling, in request order; see batchAnswer for the answer. */
function batch(call: GraphCall, state: EmulatorState): GraphResult {
  const items = readBatch(call.body, state.scenario().limits.maxBatchRequests);
  const stats = state.stats();
  stats.batches.total += 1;
  const statuses = new Map<string, number>();
  const responses = items.map((item) => {
    stats.batches.subRequests += 1;
    state.onGraphRequest?.({ method: item.method, version: call.version, path: `/${item.url.replace(/^\/+/, "")}`, body: item.body });
    const requestId = randomUUID();
    const clientRequestId = item.headers["client-request-id"] ?? requestId;
    let result: GraphResult;
    if (item.dependsOn.some((id) => (statuses.get(id) ?? 424) >= 400)) {
      result = errorResult(new GraphError(424, "FailedDependency", "A request this request depends on failed."), { requestId, clientRequestId }, state.clock.now());
    } else if (/^[a-z][a-z0-9+.-]*:/i.test(item.url)) {
      result = errorResult(badRequest(`The url of request '${item.id}' must be relative.`), { requestId, clientRequestId }, state.clock.now());
    } else {
      const url = new URL(`/${call.version}/${item.url.replace(/^\/+/, "")}`, state.origin);
      const segments = pathSegments(url.pathname).slice(1);
      if (segments[0] === "$batch") {
        result = errorResult(badRequest("Nested batch requests are not supported."), { requestId, clientRequestId }, state.clock.now());
      } else {
        const executed = executeGraph({ ...call, method: item.method, url, segments, body: item.body, requestId, clientRequestId }, state);
        stats.request(executed.route, executed.result.status);
        result = executed.result;
      }
    }
    statuses.set(item.id, result.status);
    // Sub-response headers are spelled as Graph spells them.
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(result.headers ?? {})) headers[titleCase(name)] = value;
    if (result.body !== undefined) headers["Content-Type"] = JSON_CONTENT_TYPE;
    return { id: item.id, status: result.status, headers, ...(result.body === undefined ? {} : { body: result.body }) };
  });
  const answer = batchAnswer(responses, state.scenario().service, state.serviceRandom());
  return { status: answer.status, body: { responses: answer.responses } };
}

const titleCase = (name: string): string => name.replace(/(^|-)([a-z])/g, (_match, dash: string, letter: string) => dash + letter.toUpperCase());
