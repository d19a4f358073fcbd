import { badRequest, notFound } from "../graph-error.js";
import { collection, entity, type EmulatorState, type GraphCall, type GraphResult, type Route } from "../graph-call.js";
import { applySelect, parseListQuery, parseSelect, type Filter } from "../odata.js";
import type { OrderedIndex } from "../ordered-index.js";
import { stagedToGraph } from "../representation.js";
import { IDENTITY_PROPERTIES, parseIdentity, parseImportBody, submit } from "../staging.js";
import type { StagedRecord } from "../store.js";
import { readPage, serialContains } from "./paging.js";

const BASE = ["deviceManagement", "importedWindowsAutopilotDeviceIdentities"] as const;
const CONTEXT = "deviceManagement/importedWindowsAutopilotDeviceIdentities";
const select = (call: GraphCall) => parseSelect(call.url.searchParams, "importedWindowsAutopilotDeviceIdentity", IDENTITY_PROPERTIES);

/** Picks the records a `$filter` selects: an index for `importId eq`, a predicate otherwise. */
function selection(
  state: EmulatorState,
  filter: Filter | undefined,
): { source: OrderedIndex<StagedRecord> | undefined; match?: (record: StagedRecord) => boolean } {
  const { filters } = state.scenario();
  if (!filter) return { source: state.store.stagedOrder };
  if (filter.kind === "contains" && filter.property === "serialNumber") {
    return { source: state.store.stagedOrder, match: serialContains(filter.value) };
  }
  if (filter.kind === "eq" && filter.property === "importId" && filters.stagedImportIdEq) {
    return { source: state.store.stagedWithImportId(filter.value) };
  }
  if (filter.kind === "eq" && filter.property === "serialNumber" && filters.stagedSerialEq) {
    return { source: state.store.stagedOrder, match: (record) => record.serialNumber === filter.value };
  }
  throw badRequest(`Invalid filter clause: the '${filter.kind}' filter on property '${filter.property}' is not supported for importedWindowsAutopilotDeviceIdentities.`);
}

function list(call: GraphCall, _params: unknown, state: EmulatorState): GraphResult {
  const query = parseListQuery(call.url.searchParams);
  const fields = select(call);
  const { source, match } = selection(state, query.filter);
  const scenario = state.scenario();
  const page = readPage(call, query, source, scenario.paging.stagedPageSize, scenario.paging, match);
  return collection(state, call, CONTEXT, page.items.map((record) => applySelect(stagedToGraph(record), fields)), page.next);
}

function create(call: GraphCall, _params: unknown, state: EmulatorState): GraphResult {
  const [record] = submit(state, [parseIdentity(call.body)], { uploadId: null, queue: true });
  return entity(state, call, CONTEXT, stagedToGraph(record as StagedRecord), 201);
}

function importAction(call: GraphCall, _params: unknown, state: EmulatorState): GraphResult {
  const inputs = parseImportBody(call.body, state.scenario().limits.maxImportSize);
  const records = submit(state, inputs, { uploadId: null, queue: true });
  return {
    status: 200,
    body: {
      "@odata.context": `${state.origin}/${call.version}/$metadata#Collection(microsoft.graph.importedWindowsAutopilotDeviceIdentity)`,
      value: records.map(stagedToGraph),
    },
  };
}

function get(call: GraphCall, params: { readonly id?: string }, state: EmulatorState): GraphResult {
  const fields = select(call);
  const record = state.store.staged.get(params.id ?? "");
  if (!record) throw notFound();
  return entity(state, call, CONTEXT, applySelect(stagedToGraph(record), fields));
}

function remove(_call: GraphCall, params: { readonly id?: string }, state: EmulatorState): GraphResult {
  const record = state.store.deleteStaged(params.id ?? "");
  if (!record) throw notFound();
  if (record.uploadId !== null) state.uploadMemberSettled(record);
  return { status: 204 };
}

export const stagedRoutes: readonly Route[] = [
  { pattern: BASE, methods: { GET: list, POST: create } },
  { pattern: [...BASE, "import"], methods: { POST: importAction } },
  { pattern: [...BASE, "{id}"], methods: { GET: get, DELETE: remove } },
];
