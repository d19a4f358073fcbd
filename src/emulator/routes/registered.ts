import { checkProperties, isRecord, optionalString } from "../edm.js";
import { GraphError, badRequest, intuneMessage, notFound } from "../graph-error.js";
import { collection, entity, errorContextOf, type EmulatorState, type GraphCall, type GraphResult, type Route } from "../graph-call.js";
import { parseListQuery, type Filter } from "../odata.js";
import { refuseHyphenContains } from "../quirks/hyphen-contains.js";
import { failSelectIfReported } from "../quirks/select-failure.js";
import { registeredView } from "../representation.js";
import type { RegisteredRecord } from "../store.js";
import { readPage, serialContains } from "./paging.js";
import { profileOverlay } from "../profiles-view.js";

const BASE = ["deviceManagement", "windowsAutopilotDeviceIdentities"] as const;
const CONTEXT = "deviceManagement/windowsAutopilotDeviceIdentities";

/** Properties of windowsAutopilotDeviceIdentity a client may send on create (seed 003). */
const CREATE_PROPERTIES: ReadonlySet<string> = new Set([
  "id", "deploymentProfileAssignmentStatus", "deploymentProfileAssignmentDetailedStatus", "deploymentProfileAssignedDateTime",
  "groupTag", "purchaseOrderIdentifier", "serialNumber", "productKey", "manufacturer", "model", "enrollmentState",
  "lastContactedDateTime", "addressableUserName", "userPrincipalName", "resourceName", "skuNumber", "systemFamily",
  "azureActiveDirectoryDeviceId", "azureAdDeviceId", "managedDeviceId", "displayName", "deviceAccountUpn",
  "deviceAccountPassword", "deviceFriendlyName", "remediationState", "remediationStateLastModifiedDateTime",
]);

const UPDATE_PROPERTIES: ReadonlySet<string> = new Set(["groupTag", "userPrincipalName", "addressableUserName", "displayName"]);

/** The longest group tag updateDeviceProperties takes (the import's own bound, src/model/limits.ts; Intune documents none). */
const GROUP_TAG_MAX_LENGTH = 128;

function matcher(call: GraphCall, state: EmulatorState, filter: Filter | undefined): ((record: RegisteredRecord) => boolean) | undefined {
  if (!filter) return undefined;
  if (filter.kind === "contains" && filter.property === "serialNumber") return serialContains(filter.value);
  if (filter.kind === "eq" && filter.property === "serialNumber" && state.scenario().filters.registeredSerialEq) {
    return (record) => record.serialNumber === filter.value;
  }
  // The real service refuses `serialNumber eq` (and other filters) here with an Intune-style 400.
  throw new GraphError(400, "BadRequest", intuneMessage({ requestId: call.requestId, clientRequestId: call.clientRequestId, now: state.clock.now() }, call.url.href, "Invalid filter"));
}

function list(call: GraphCall, _params: unknown, state: EmulatorState): GraphResult {
  failSelectIfReported(call, state, "registered");
  const query = parseListQuery(call.url.searchParams);
  refuseHyphenContains(call, state, query.filter);
  const match = matcher(call, state, query.filter);
  const scenario = state.scenario();
  const page = readPage(call, query, state.store.registeredOrder, scenario.paging.registeredPageSize, scenario.paging, {
    match,
    repeatNextLinkAfterPages: scenario.service.repeatNextLinkAfterPages,
  });
  const view = registeredView(call.version);
  const overlay = profileOverlay(call, state);
  return collection(state, call, CONTEXT, page.items.map((record) => overlay(record, view(record) as unknown as Record<string, unknown>)), page.next);
}

function find(call: GraphCall, id: string, state: EmulatorState): RegisteredRecord {
  const record = state.store.registered.get(id);
  if (!record) {
    throw notFound(intuneMessage({ requestId: call.requestId, clientRequestId: call.clientRequestId, now: state.clock.now() }, call.url.href));
  }
  return record;
}

function get(call: GraphCall, params: { readonly id?: string }, state: EmulatorState): GraphResult {
  failSelectIfReported(call, state, "registered");
  const overlay = profileOverlay(call, state);
  const record = find(call, params.id ?? "", state);
  return entity(state, call, CONTEXT, overlay(record, registeredView(call.version)(record) as unknown as Record<string, unknown>));
}

function create(call: GraphCall, _params: unknown, state: EmulatorState): GraphResult {
  const body = call.body;
  if (!isRecord(body)) throw badRequest("The request body must be a windowsAutopilotDeviceIdentity JSON object.");
  checkProperties(body, CREATE_PROPERTIES, "windowsAutopilotDeviceIdentity", state.scenario().service.acceptUnknownProperties);
  const serialNumber = optionalString(body, "serialNumber");
  if (!serialNumber) throw badRequest("The property 'serialNumber' is required.");
  if (state.store.isSerialAssigned(serialNumber)) {
    throw new GraphError(409, "Conflict", `ZtdDeviceAlreadyAssigned: a device with serial number '${serialNumber}' is already registered in this tenant.`);
  }
  const record = state.store.register(
    {
      serialNumber,
      groupTag: optionalString(body, "groupTag") ?? undefined,
      productKey: optionalString(body, "productKey") ?? undefined,
      manufacturer: optionalString(body, "manufacturer") ?? undefined,
      model: optionalString(body, "model") ?? undefined,
      userPrincipalName: optionalString(body, "userPrincipalName") ?? undefined,
      addressableUserName: optionalString(body, "addressableUserName") ?? undefined,
      displayName: optionalString(body, "displayName") ?? undefined,
      purchaseOrderIdentifier: optionalString(body, "purchaseOrderIdentifier") ?? undefined,
    },
    state.clock.now(),
  );
  record.profileTimeline = true;
  return entity(state, call, CONTEXT, registeredView(call.version)(record), 201);
}

/**
 * DELETE: refused while the device is enrolled in Intune (its managed device record exists), as the service enforces;
 * otherwise accepted (204) and completed asynchronously: the record stays listed for processing.deletionLingerMs.
 */
function remove(call: GraphCall, params: { readonly id?: string }, state: EmulatorState): GraphResult {
  const record = find(call, params.id ?? "", state);
  const managedId = record.managedDeviceId;
  if (managedId !== null && state.store.managed.byId.has(managedId)) {
    const phrase = `The Autopilot device '${record.serialNumber}' is enrolled in Intune: delete its managed device (deviceManagement/managedDevices/${managedId}) first, then its Autopilot record.`;
    throw new GraphError(400, "BadRequest", intuneMessage(errorContextOf(call, state), call.url.href, phrase));
  }
  state.store.counters.registeredDeleteRequests += 1;
  if (record.deletionRequestedAt !== null) return { status: 204 };
  const now = state.clock.now();
  record.deletionRequestedAt = now;
  const linger = state.scenario().processing.deletionLingerMs;
  if (linger === 0) state.store.deleteRegistered(record.id);
  else state.clock.scheduleAt(now + linger, () => state.store.deleteRegistered(record.id));
  return { status: 204 };
}

/** updateDeviceProperties: validated now, answered 204, applied after processing.updateLagMs (in the order accepted). */
function updateDeviceProperties(call: GraphCall, params: { readonly id?: string }, state: EmulatorState): GraphResult {
  const record = find(call, params.id ?? "", state);
  const body = call.body ?? {};
  if (!isRecord(body)) throw badRequest("The request body must be a JSON object.");
  checkProperties(body, UPDATE_PROPERTIES, "updateDeviceProperties", state.scenario().service.acceptUnknownProperties);
  const changes: [string, string][] = [];
  const ignoreEmptyUser = state.scenario().service.emptyUserInUpdate === "ignored";
  for (const property of UPDATE_PROPERTIES) {
    if (!(property in body)) continue;
    const value = optionalString(body, property) ?? "";
    if (ignoreEmptyUser && value === "" && (property === "userPrincipalName" || property === "addressableUserName")) continue;
    changes.push([property, value]);
  }
  const tag = changes.find(([property]) => property === "groupTag")?.[1] ?? "";
  if (tag.length > GROUP_TAG_MAX_LENGTH) {
    const phrase = `The group tag is ${tag.length} characters long; at most ${GROUP_TAG_MAX_LENGTH} are allowed.`;
    throw new GraphError(400, "BadRequest", intuneMessage(errorContextOf(call, state), call.url.href, phrase));
  }
  const apply = (): void => {
    for (const [property, value] of changes) {
      if (property === "groupTag") record.groupTag = value;
      else if (property === "userPrincipalName") record.userPrincipalName = value;
      else if (property === "addressableUserName") record.addressableUserName = value;
      else record.displayName = value;
    }
    state.store.counters.updatesApplied += 1;
  };
  state.store.counters.updatesAccepted += 1;
  state.store.updatesById.set(record.id, (state.store.updatesById.get(record.id) ?? 0) + 1);
  const lag = state.scenario().processing.updateLagMs;
  if (lag === 0) apply();
  else state.clock.scheduleAt(state.clock.now() + lag, apply);
  return { status: 204 };
}

/** unassignUserFromDevice (no body): the assigned user and its addressable name removed, after the update lag. */
function unassignUserFromDevice(call: GraphCall, params: { readonly id?: string }, state: EmulatorState): GraphResult {
  const record = find(call, params.id ?? "", state);
  checkProperties(isRecord(call.body) ? call.body : {}, new Set(), "unassignUserFromDevice", state.scenario().service.acceptUnknownProperties);
  state.store.counters.userUnassigns += 1;
  const apply = (): void => {
    record.userPrincipalName = "";
    record.addressableUserName = "";
  };
  const lag = state.scenario().processing.updateLagMs;
  if (lag === 0) apply();
  else state.clock.scheduleAt(state.clock.now() + lag, apply);
  return { status: 204 };
}

export const registeredRoutes: readonly Route[] = [
  { pattern: BASE, methods: { GET: list, POST: create } },
  { pattern: [...BASE, "{id}"], methods: { GET: get, DELETE: remove } },
  { pattern: [...BASE, "{id}", "updateDeviceProperties"], methods: { POST: updateDeviceProperties } },
  { pattern: [...BASE, "{id}", "unassignUserFromDevice"], methods: { POST: unassignUserFromDevice } },
];
