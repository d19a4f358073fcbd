/**
 * Entra ID's devices and groups, as --add-to-group uses them: device objects looked up by their device id, groups by
 * id or display name, members listed, added one by one (POST members/$ref) or up to 20 at once (PATCH
 * members@odata.bind, all or nothing), with Entra's errors in Graph's error shape.
 */
import { directoryRefusal } from "../auth/permissions.js";
import { GraphError, badRequest } from "../graph-error.js";
import { collection, entity, type EmulatorState, type GraphCall, type GraphResult, type Route } from "../graph-call.js";
import { isRecord } from "../edm.js";
import { nextLink, parseListQuery } from "../odata.js";
import type { EntraDevice, GroupRecord } from "../directory.js";
import { iso } from "../representation.js";

/** At most this many references in one members@odata.bind (documented for Add members). */
const MAX_BIND = 20;
const EXISTING = "One or more added object references already exist for the following modified properties: 'members'.";
const GUID = /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})'?\)?\/?$/i;

const resourceNotFound = (id: string): GraphError =>
  new GraphError(404, "Request_ResourceNotFound", `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`);

/** GroupMember.ReadWrite.All (and Device.Read.All) not granted: Entra's 403, for direct and $batch requests alike. */
function checkGrant(state: EmulatorState): void {
  const refusal = directoryRefusal(state.scenario().auth.grants);
  if (refusal) throw refusal;
}

function deviceToGraph(device: EntraDevice): Record<string, unknown> {
  const { record } = device;
  const physicalIds = [`[ZTDID]:${record.id}`];
  if (record.groupTag !== "") physicalIds.push(`[OrderID]:${record.groupTag}`);
  if (record.purchaseOrderIdentifier !== "") physicalIds.push(`[PurchaseOrderId]:${record.purchaseOrderIdentifier}`);
  return {
    "@odata.type": "#microsoft.graph.device",
    id: device.id,
    deviceId: device.deviceId,
    displayName: record.displayName || record.serialNumber,
    accountEnabled: true,
    operatingSystem: "Windows",
    operatingSystemVersion: "",
    physicalIds,
    profileType: "RegisteredDevice",
    trustType: null,
    createdDateTime: iso(record.createdAt),
  };
}

function groupToGraph(group: GroupRecord): Record<string, unknown> {
  const dynamic = group.membershipRule !== null;
  return {
    "@odata.type": "#microsoft.graph.group",
    id: group.id,
    displayName: group.displayName,
    description: group.description,
    groupTypes: dynamic ? ["DynamicMembership"] : [],
    membershipRule: group.membershipRule,
    membershipRuleProcessingState: dynamic ? "On" : null,
    securityEnabled: true,
    mailEnabled: false,
    mailNickname: group.displayName.replace(/[^A-Za-z0-9]/g, "").slice(0, 64) || "group",
    createdDateTime: iso(group.createdAt),
  };
}

function listDevices(call: GraphCall, _params: unknown, state: EmulatorState): GraphResult {
  checkGrant(state);
  const { filter } = parseListQuery(call.url.searchParams);
  if (filter && !(filter.kind === "eq" && filter.property === "deviceId")) {
    throw badRequest(`Unsupported query: the emulator filters devices by 'deviceId eq' only.`);
  }
  const found = filter ? [state.directory.deviceByDeviceId(filter.value)].filter((device) => device !== undefined) : state.directory.devices();
  return collection(state, call, "devices", found.map(deviceToGraph));
}

function getDevice(call: GraphCall, params: { readonly id?: string }, state: EmulatorState): GraphResult {
  checkGrant(state);
  const id = params.id ?? "";
  const device = state.directory.deviceByObjectId(id);
  if (!device) throw resourceNotFound(id);
  return entity(state, call, "devices", deviceToGraph(device));
}

function findGroup(id: string, state: EmulatorState): GroupRecord {
  const group = state.directory.groups.get(id.toLowerCase());
  if (!group) throw resourceNotFound(id);
  return group;
}

function listGroups(call: GraphCall, _params: unknown, state: EmulatorState): GraphResult {
  checkGrant(state);
  const { filter } = parseListQuery(call.url.searchParams);
  if (filter && !(filter.kind === "eq" && filter.property === "displayName")) {
    throw badRequest(`Unsupported query: the emulator filters groups by 'displayName eq' only.`);
  }
  // Entra compares display names case-insensitively.
  const groups = [...state.directory.groups.values()].filter((group) => !filter || group.displayName.toLowerCase() === filter.value.toLowerCase());
  return collection(state, call, "groups", groups.map(groupToGraph));
}

function getGroup(call: GraphCall, params: { readonly id?: string }, state: EmulatorState): GraphResult {
  checkGrant(state);
  return entity(state, call, "groups", groupToGraph(findGroup(params.id ?? "", state)));
}

function listMembers(call: GraphCall, params: { readonly id?: string }, state: EmulatorState): GraphResult {
  checkGrant(state);
  const group = findGroup(params.id ?? "", state);
  const query = parseListQuery(call.url.searchParams);
  const size = Math.min(query.top ?? state.scenario().directory.membersPageSize, state.scenario().paging.maxTop);
  const members = state.directory.liveMembers(group);
  // The skip token carries the offset into the member list here.
  const page = members.slice(query.after, query.after + size);
  const next = query.after + size < members.length ? nextLink(call.url, query.after + size, query.page + 1) : undefined;
  return collection(state, call, "directoryObjects", page.map(deviceToGraph), next);
}

/** The object id a reference names: `…/directoryObjects/{id}`, `…/devices/{id}` or `…/directoryObjects('{id}')`. */
function referencedId(reference: unknown): string {
  if (typeof reference !== "string") throw badRequest("Invalid object reference: a URL string is expected.");
  const match = GUID.exec(reference.trim());
  if (!match) throw badRequest(`Invalid object identifier '${reference}'.`);
  return (match[1] ?? "").toLowerCase();
}

/** Checks every reference first: Entra adds all of them or none. */
function addMembers(group: GroupRecord, ids: readonly string[], state: EmulatorState): void {
  const directory = state.directory;
  const refuse = (error: GraphError): never => {
    directory.memberWritesRefused += 1;
    throw error;
  };
  // Dynamic groups compute their members from the rule; unverified wording (Microsoft documents no text for it).
  if (group.membershipRule !== null) refuse(badRequest("Cannot add members to a group with dynamic membership: its members come from its membership rule."));
  for (const id of ids) {
    if (!directory.deviceByObjectId(id)) refuse(resourceNotFound(id));
  }
  if (new Set(ids).size !== ids.length || ids.some((id) => group.members.has(id))) refuse(new GraphError(400, "Request_BadRequest", EXISTING));
  for (const id of ids) group.members.add(id);
  directory.memberWrites.push(ids.length);
}

function addMemberRef(call: GraphCall, params: { readonly id?: string }, state: EmulatorState): GraphResult {
  checkGrant(state);
  const group = findGroup(params.id ?? "", state);
  if (!isRecord(call.body) || !("@odata.id" in call.body)) throw badRequest("The request body must be a JSON object with an '@odata.id' reference.");
  addMembers(group, [referencedId(call.body["@odata.id"])], state);
  return { status: 204 };
}

function patchGroup(call: GraphCall, params: { readonly id?: string }, state: EmulatorState): GraphResult {
  checkGrant(state);
  const group = findGroup(params.id ?? "", state);
  const body = call.body;
  if (!isRecord(body)) throw badRequest("The request body must be a group JSON object.");
  const other = Object.keys(body).filter((key) => key !== "members@odata.bind");
  if (other.length > 0) throw badRequest(`The emulator updates a group's members only; unsupported properties: ${other.join(", ")}.`);
  const bind = body["members@odata.bind"];
  if (!Array.isArray(bind) || bind.length === 0) throw badRequest("'members@odata.bind' must be a non-empty array of object references.");
  if (bind.length > MAX_BIND) throw badRequest(`The request adds ${bind.length} members; at most ${MAX_BIND} can be added in one request.`);
  addMembers(group, bind.map(referencedId), state);
  return { status: 204 };
}

export const directoryRoutes: readonly Route[] = [
  { pattern: ["devices"], methods: { GET: listDevices } },
  { pattern: ["devices", "{id}"], methods: { GET: getDevice } },
  { pattern: ["groups"], methods: { GET: listGroups } },
  { pattern: ["groups", "{id}"], methods: { GET: getGroup, PATCH: patchGroup } },
  { pattern: ["groups", "{id}", "members"], methods: { GET: listMembers } },
  { pattern: ["groups", "{id}", "members", "$ref"], methods: { POST: addMemberRef } },
];
