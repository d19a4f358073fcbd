/** Intune's managed devices (deviceManagement/managedDevices): listed, read and deleted, with their own permission. */
import { permissionRefusal } from "../auth/permissions.js";
import { intuneMessage, notFound } from "../graph-error.js";
import { collection, entity, errorContextOf, type EmulatorState, type GraphCall, type GraphResult, type Route } from "../graph-call.js";
import type { ManagedRecord } from "../managed-store.js";
import { parseListQuery } from "../odata.js";
import { managedToGraph } from "../representation.js";
import { readPage, serialContains } from "./paging.js";

const BASE = ["deviceManagement", "managedDevices"] as const;
const CONTEXT = "deviceManagement/managedDevices";

function list(call: GraphCall, _params: unknown, state: EmulatorState): GraphResult {
  const query = parseListQuery(call.url.searchParams);
  const filter = query.filter;
  // serialNumber eq / contains: what an offboarding tool looks a device up by.
  const match =
    filter === undefined
      ? undefined
      : filter.kind === "eq" && filter.property === "serialNumber"
        ? (record: ManagedRecord) => record.serialNumber.toUpperCase() === filter.value.toUpperCase()
        : filter.kind === "contains" && filter.property === "serialNumber"
          ? (record: ManagedRecord) => serialContains(filter.value)({ serialUpper: record.serialNumber.toUpperCase() })
          : () => false;
  const scenario = state.scenario();
  const page = readPage(call, query, state.store.managed.order, scenario.paging.registeredPageSize, scenario.paging, match ? { match } : {});
  return collection(state, call, CONTEXT, page.items.map(managedToGraph), page.next);
}

function find(call: GraphCall, id: string, state: EmulatorState): ManagedRecord {
  // The permission again for a $batch item (the server checks direct requests only): Intune refuses either way.
  const refusal = permissionRefusal(call.principal, call.segments, state.scenario().auth.grants, call.method);
  if (refusal) throw refusal;
  const record = state.store.managed.byId.get(id);
  if (!record) throw notFound(intuneMessage(errorContextOf(call, state), call.url.href));
  return record;
}

function get(call: GraphCall, params: { readonly id?: string }, state: EmulatorState): GraphResult {
  return entity(state, call, CONTEXT, managedToGraph(find(call, params.id ?? "", state)));
}

/** DELETE: the Intune record goes at once; the Autopilot record keeps its (now stale) managedDeviceId and may then be deleted. */
function remove(call: GraphCall, params: { readonly id?: string }, state: EmulatorState): GraphResult {
  const record = find(call, params.id ?? "", state);
  state.store.managed.delete(record.id);
  return { status: 204 };
}

export const managedRoutes: readonly Route[] = [
  { pattern: BASE, methods: { GET: list } },
  { pattern: [...BASE, "{id}"], methods: { GET: get, DELETE: remove } },
];
