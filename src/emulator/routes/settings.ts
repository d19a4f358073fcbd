import { checkProperties, edmTypeError, isRecord } from "../edm.js";
import { GraphError, badRequest, intuneMessage } from "../graph-error.js";
import { entity, type EmulatorState, type GraphCall, type GraphResult, type Route } from "../graph-call.js";
import { isSyncStatus } from "../settings.js";

const BASE = ["deviceManagement", "windowsAutopilotSettings"] as const;
const CONTEXT = "deviceManagement/windowsAutopilotSettings";
const PATCH_PROPERTIES: ReadonlySet<string> = new Set(["id", "lastSyncDateTime", "lastManualSyncTriggerDateTime", "syncStatus"]);

function get(call: GraphCall, _params: unknown, state: EmulatorState): GraphResult {
  return entity(state, call, CONTEXT, state.settings.toGraph());
}

function dateProperty(body: Record<string, unknown>, property: string): number | undefined {
  const value = body[property];
  if (value === undefined) return undefined;
  const parsed = typeof value === "string" ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(parsed)) throw edmTypeError(property, "Edm.DateTimeOffset");
  return parsed;
}

/** PATCH answers 200 with the updated entity, as seed 002 documents. */
function patch(call: GraphCall, _params: unknown, state: EmulatorState): GraphResult {
  const body = call.body;
  if (!isRecord(body)) throw badRequest("The request body must be a windowsAutopilotSettings JSON object.");
  checkProperties(body, PATCH_PROPERTIES, "windowsAutopilotSettings", state.scenario().service.acceptUnknownProperties);
  const lastSync = dateProperty(body, "lastSyncDateTime");
  const lastManual = dateProperty(body, "lastManualSyncTriggerDateTime");
  const status = body["syncStatus"];
  if (status !== undefined && (typeof status !== "string" || !isSyncStatus(status))) {
    throw badRequest(`The value '${String(status)}' is not valid for property 'syncStatus' of type 'microsoft.graph.windowsAutopilotSyncStatus'.`);
  }
  const settings = state.settings;
  if (lastSync !== undefined) settings.lastSyncDateTime = lastSync;
  if (lastManual !== undefined) settings.lastManualSyncTriggerDateTime = lastManual;
  if (status !== undefined) settings.syncStatus = status;
  return entity(state, call, CONTEXT, settings.toGraph());
}

/** 204 started; 409 while a sync runs; 429 within the minimum interval of the previous manual trigger. */
function sync(call: GraphCall, _params: unknown, state: EmulatorState): GraphResult {
  const attempt = state.settings.trigger();
  const context = { requestId: call.requestId, clientRequestId: call.clientRequestId, now: state.clock.now() };
  if (attempt.outcome === "started") return { status: 204 };
  if (attempt.outcome === "inProgress") {
    throw new GraphError(409, "Conflict", intuneMessage(context, call.url.href, "A sync is already in progress."));
  }
  const headers: Record<string, string> = {};
  if (state.scenario().sync.retryAfterOn429) headers["retry-after"] = String(Math.max(1, Math.ceil(state.clock.toRealMs(attempt.waitMs) / 1000)));
  throw new GraphError(429, "TooManyRequests", intuneMessage(context, call.url.href, "Sync can only be requested once every 10 minutes."), headers);
}

export const settingsRoutes: readonly Route[] = [
  { pattern: BASE, betaOnly: true, methods: { GET: get, PATCH: patch } },
  { pattern: [...BASE, "sync"], betaOnly: true, methods: { POST: sync } },
];
