import { badRequest, notFound } from "../graph-error.js";
import { collection, entity, type EmulatorState, type GraphCall, type GraphResult, type Route } from "../graph-call.js";
import { applySelect, parseListQuery, parseSelect, type Filter } from "../odata.js";
import { OrderedIndex } from "../ordered-index.js";
import { failSelectIfReported } from "../quirks/select-failure.js";
import { refuseHyphenContains } from "../quirks/hyphen-contains.js";
import { stagedToGraph, stagedView } from "../representation.js";
import { IDENTITY_PROPERTIES, parseIdentity, parseImportBody, submit } from "../staging.js";
import type { StagedRecord } from "../store.js";
import { readPage, serialContains } from "./paging.js";

const BASE = ["deviceManagement", "importedWindowsAutopilotDeviceIdentities"] as const;
const CONTEXT = "deviceManagement/importedWindowsAutopilotDeviceIdentities";
const select = (call: GraphCall) => parseSelect(call.url.searchParams, "importedWindowsAutopilotDeviceIdentity", IDENTITY_PROPERTIES);

/**
 * Records whose importId, as the service shows it, is `value`: the one sent, or the record's own id when the
 * service does not keep it (`service.importIdKept` false), so a filter by the sent importId finds nothing.
 */
function withImportId(state: EmulatorState, value: string): OrderedIndex<StagedRecord> | undefined {
  if (state.scenario().service.importIdKept) return state.store.stagedWithImportId(value);
  const record = state.store.staged.get(value);
  if (!record) return undefined;
  const only = new OrderedIndex<StagedRecord>();
  only.add(record);
  return only;
}

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
    return { source: withImportId(state, filter.value) };
  }
  if (filter.kind === "eq" && filter.property === "serialNumber" && filters.stagedSerialEq) {
    return { source: state.store.stagedOrder, match: (record) => record.serialNumber === filter.value };
  }
  throw badRequest(`Invalid filter clause: the '${filter.kind}' filter on property '${filter.property}' is not supported for importedWindowsAutopilotDeviceIdentities.`);
}

function list(call: GraphCall, _params: unknown, state: EmulatorState): GraphResult {
  failSelectIfReported(call, state, "staged");
  const query = parseListQuery(call.url.searchParams);
  const fields = select(call);
  refuseHyphenContains(call, state, query.filter);
  const { source, match } = selection(state, query.filter);
  const scenario = state.scenario();
  const page = readPage(call, query, source, scenario.paging.stagedPageSize, scenario.paging, {
    match,
    repeatNextLinkAfterPages: scenario.service.repeatNextLinkAfterPages,
  });
  const view = stagedView(scenario);
  return collection(state, call, CONTEXT, page.items.map((record) => applySelect(view(record), fields)), page.next);
}

function create(call: GraphCall, _params: unknown, state: EmulatorState): GraphResult {
  const { service } = state.scenario();
  const [record] = submit(state, [parseIdentity(call.body, service.acceptUnknownProperties)], { uploadId: null, queue: true });
  return entity(state, call, CONTEXT, stagedToGraph(record as StagedRecord, service.importIdKept), 201);
}

function importAction(call: GraphCall, _params: unknown, state: EmulatorState): GraphResult {
  const scenario = state.scenario();
  const inputs = parseImportBody(call.body, scenario.limits.maxImportSize, scenario.service.acceptUnknownProperties);
  const records = submit(state, inputs, { uploadId: null, queue: true });
  return {
    status: 200,
    body: {
      "@odata.context": `${state.origin}/${call.version}/$metadata#Collection(microsoft.graph.importedWindowsAutopilotDeviceIdentity)`,
      value: records.map(stagedView(scenario)),
    },
  };
}

function get(call: GraphCall, params: { readonly id?: string }, state: EmulatorState): GraphResult {
  failSelectIfReported(call, state, "staged");
  const fields = select(call);
  const record = state.store.staged.get(params.id ?? "");
  if (!record) throw notFound();
  return entity(state, call, CONTEXT, applySelect(stagedToGraph(record, state.scenario().service.importIdKept), fields));
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
