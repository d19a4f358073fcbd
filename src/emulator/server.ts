import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { handleIssuer, isIssuerPath } from "./auth/issuer.js";
import { entraErrorBody } from "./auth/entra-error.js";
import { permissionRefusal } from "./auth/permissions.js";
import type { EmulatorCore } from "./core.js";
import { decideFault, type FaultDecision } from "./faults.js";
import { GraphError, graphErrorBody } from "./graph-error.js";
import { JSON_CONTENT_TYPE, describeRoute, errorResult, executeGraph } from "./graph-api.js";
import type { GraphCall, GraphResult, GraphVersion } from "./graph-call.js";
import { header, readBody, resetConnection, send } from "./http.js";
import { pathSegments } from "./router.js";
import { tenantForIssuer, tenantForToken } from "./tenants.js";
import { introspectTenant } from "./tenants-introspection.js";

const ENTRA_CONTENT_TYPE = "application/json; charset=utf-8";
const ISSUER_BODY_LIMIT = 64 * 1024;

/** Waits real time in a way close() can cut short. */
export interface Delays {
  wait(ms: number): Promise<void>;
  readonly closed: boolean;
}

interface Exchange {
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
  readonly url: URL;
  readonly segments: string[];
  readonly requestId: string;
  readonly clientRequestId: string;
  readonly baseHeaders: Record<string, string>;
}

/** The request listener: dispatches to introspection, the identity endpoints or Graph. */
export function createListener(core: EmulatorCore, delays: Delays): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    handle(core, delays, request, response).catch((error: unknown) => {
      // A bug must not take the emulator down: answer 500 in Graph's shape and keep serving.
      const requestId = randomUUID();
      send(response, 500, { "request-id": requestId }, graphErrorBody("InternalServerError", String(error), { requestId, clientRequestId: requestId, now: core.clock.now() }), JSON_CONTENT_TYPE);
    });
  };
}

async function handle(core: EmulatorCore, delays: Delays, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const requestId = randomUUID();
  const clientRequestId = header(request, "client-request-id") ?? requestId;
  const url = new URL(request.url ?? "/", core.origin);
  const segments = pathSegments(url.pathname);
  const baseHeaders: Record<string, string> = { "request-id": requestId, "client-request-id": clientRequestId };
  const exchange: Exchange = { request, response, url, segments, requestId, clientRequestId, baseHeaders };
  const first = segments[0];
  if (first === "_emulator") return introspectTenant(core, exchange);
  const tenants = core.tenants();
  if (first === "v1.0" || first === "beta") return graph(tenantForToken(tenants, header(request, "authorization"), core.clock.now()), delays, exchange, first);
  if (isIssuerPath(segments)) return issuer(tenantForIssuer(tenants, first), delays, exchange);
  const error = new GraphError(404, "NotFound", `No route for '${url.pathname}'. Graph lives under /v1.0 and /beta.`);
  answer(core, exchange, errorResult(error, exchange, core.clock.now()));
}

function answer(core: EmulatorCore, exchange: Exchange, result: GraphResult): void {
  send(exchange.response, result.status, { ...exchange.baseHeaders, ...graphHeaders(core), ...result.headers }, result.body, JSON_CONTENT_TYPE);
}

function graphHeaders(core: EmulatorCore): Record<string, string> {
  return { "x-ms-ags-diagnostic": `{"ServerInfo":{"DataCenter":"Emulator","Slice":"E","Ring":"0","ScaleUnit":"0","RoleInstance":"${new URL(core.origin).host}"}}` };
}

function recordFault(core: EmulatorCore, exchange: Exchange, fault: FaultDecision, tookEffect: boolean, appliedStatus: number | null): void {
  if (fault.kind === undefined) return;
  core.stats().fault({
    kind: fault.kind,
    method: exchange.request.method ?? "GET",
    path: exchange.url.pathname + exchange.url.search,
    requestId: exchange.requestId,
    clientRequestId: exchange.clientRequestId,
    tookEffect,
    appliedStatus,
  });
}

/** Answers a fault that happens before the request is applied; true when the request is finished. */
function faultBefore(core: EmulatorCore, exchange: Exchange, fault: FaultDecision, route: string): boolean {
  const stats = core.stats();
  const now = core.clock.now();
  if (fault.kind === "503" || fault.kind === "503-retry-after") {
    recordFault(core, exchange, fault, false, null);
    stats.request(route, 503);
    const headers: Record<string, string> = fault.kind === "503-retry-after" ? { "retry-after": String(core.scenario().faults.status503RetryAfter.retryAfterSeconds) } : {};
    answer(core, exchange, errorResult(new GraphError(503, "ServiceUnavailable", "The service is temporarily unavailable. Please retry later.", headers), exchange, now));
    return true;
  }
  if (fault.kind === "504" && !fault.tookEffect) {
    recordFault(core, exchange, fault, false, null);
    stats.request(route, 504);
    answer(core, exchange, errorResult(new GraphError(504, "GatewayTimeout", "The gateway did not receive a response from the service in time."), exchange, now));
    return true;
  }
  if (fault.kind === "reset" && !fault.tookEffect) {
    recordFault(core, exchange, fault, false, null);
    stats.request(route, "reset");
    resetConnection(exchange.request);
    return true;
  }
  return false;
}

async function graph(core: EmulatorCore, delays: Delays, exchange: Exchange, version: GraphVersion): Promise<void> {
  const { request } = exchange;
  const method = (request.method ?? "GET").toUpperCase();
  const segments = exchange.segments.slice(1);
  // Only requests answered before routing need this key; computing it lazily keeps the hot path lean.
  let described: string | undefined;
  const route = (): string => (described ??= describeRoute(method, version, segments, core.scenario()));
  const stats = core.stats();
  const read = await readBody(request, core.scenario().limits.maxBodyBytes);
  if (!read.ok) {
    if (read.reason === "aborted") return;
    stats.request(route(), 413);
    exchange.baseHeaders["connection"] = "close";
    answer(core, exchange, errorResult(new GraphError(413, "RequestEntityTooLarge", `The request body exceeds the limit of ${core.scenario().limits.maxBodyBytes} bytes.`), exchange, core.clock.now()));
    return;
  }
  const fault = decideFault(core.faultRandom, core.scenario().faults);
  if (fault.latencyMs > 0) {
    stats.latencyInjected();
    await delays.wait(fault.latencyMs);
    if (delays.closed) return;
  }
  if (fault.kind !== undefined && faultBefore(core, exchange, fault, route())) return;
  let body: unknown;
  if (read.body.length > 0) {
    try {
      body = JSON.parse(read.body.toString("utf8"));
    } catch {
      stats.request(route(), 400);
      answer(core, exchange, errorResult(new GraphError(400, "BadRequest", "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format."), exchange, core.clock.now()));
      return;
    }
  }
  core.onGraphRequest?.({ method, version, path: exchange.url.pathname.slice(version.length + 1) + exchange.url.search, body });
  const now = core.clock.now();
  const check = core.tokens.check(header(request, "authorization"), now);
  if (!check.valid) {
    stats.auth.graphUnauthorized += 1;
    stats.request(route(), 401);
    const message = {
      missing: "Access token is empty.",
      malformed: "Access token validation failure. Invalid audience.",
      unknown: "Access token validation failure. Invalid audience.",
      expired: "Lifetime validation failed, the token is expired.",
    }[check.reason];
    const headers = { "www-authenticate": `Bearer realm="", authorization_uri="${core.origin}/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"` };
    answer(core, exchange, errorResult(new GraphError(401, "InvalidAuthenticationToken", message, headers), exchange, now));
    return;
  }
  const refusal = permissionRefusal(check.principal, exchange.segments.slice(1), core.scenario().auth.grants, exchange.request.method ?? "GET");
  if (refusal) {
    stats.request(route(), refusal.status);
    answer(core, exchange, errorResult(refusal, exchange, now));
    return;
  }
  const call: GraphCall = {
    method,
    version,
    url: exchange.url,
    segments,
    body,
    requestId: exchange.requestId,
    clientRequestId: exchange.clientRequestId,
    principal: check.principal,
  };
  const executed = executeGraph(call, core);
  if (fault.kind === "reset") {
    recordFault(core, exchange, fault, true, executed.result.status);
    stats.request(executed.route, "reset");
    resetConnection(request);
    return;
  }
  if (fault.kind === "504") {
    recordFault(core, exchange, fault, true, executed.result.status);
    stats.request(executed.route, 504);
    answer(core, exchange, errorResult(new GraphError(504, "GatewayTimeout", "The gateway did not receive a response from the service in time."), exchange, core.clock.now()));
    return;
  }
  stats.request(executed.route, executed.result.status);
  answer(core, exchange, executed.result);
}

async function issuer(core: EmulatorCore, delays: Delays, exchange: Exchange): Promise<void> {
  const { request, response } = exchange;
  const method = (request.method ?? "GET").toUpperCase();
  const isToken = exchange.segments.slice(1).join("/").toLowerCase() === "oauth2/v2.0/token";
  const route = `${method} /{tenant}/${exchange.segments.slice(1).join("/")}`;
  const stats = core.stats();
  const headers = { ...exchange.baseHeaders, "x-ms-request-id": exchange.requestId };
  const read = await readBody(request, ISSUER_BODY_LIMIT);
  if (!read.ok) {
    if (read.reason === "aborted") return;
    stats.request(route, 413);
    send(response, 413, { ...headers, connection: "close" }, { error: "invalid_request", error_description: "Request body too large." }, ENTRA_CONTENT_TYPE);
    return;
  }
  const scenario = core.scenario();
  if (isToken && core.tokenOutageLeft > 0) {
    core.tokenOutageLeft -= 1;
    faultBefore(core, exchange, { latencyMs: 0, kind: scenario.faults.tokenOutage.kind, tookEffect: false }, route);
    return;
  }
  if (isToken && scenario.faults.includeTokenEndpoint) {
    const fault = decideFault(core.faultRandom, scenario.faults);
    if (fault.latencyMs > 0) {
      stats.latencyInjected();
      await delays.wait(fault.latencyMs);
      if (delays.closed) return;
    }
    // The token endpoint has no lasting effect worth modelling: every fault happens before it answers.
    if (faultBefore(core, exchange, { ...fault, tookEffect: false }, route)) return;
  }
  const now = core.clock.now();
  const answerOrError = handleIssuer(
    { method, segments: exchange.segments, body: read.body.toString("utf8"), authorization: header(request, "authorization") },
    {
      identity: core.identity,
      origin: core.origin,
      lifetimeSeconds: scenario.auth.tokenLifetimeSeconds,
      realPerEmulated: 1 / core.clock.speed,
      acceptedResources: scenario.auth.acceptedResources,
      now,
      auth: scenario.auth,
    },
    core.tokens,
    core.deviceFlow,
  );
  if (answerOrError.kind === "error") {
    const { error } = answerOrError;
    if (isToken) stats.tokenRejected(error.error);
    stats.request(route, error.status);
    send(response, error.status, headers, entraErrorBody(error, { now, correlationId: exchange.clientRequestId, origin: core.origin }), ENTRA_CONTENT_TYPE);
    return;
  }
  if (isToken) stats.auth.tokensIssued += 1;
  stats.request(route, answerOrError.status);
  send(response, answerOrError.status, { ...headers, ...answerOrError.headers }, answerOrError.body, ENTRA_CONTENT_TYPE);
}
