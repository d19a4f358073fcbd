import { checkProperties, isRecord } from "../edm.js";
import { GraphError, badRequest, notFound } from "../graph-error.js";
import { collection, entity, type EmulatorState, type GraphCall, type GraphResult, type Route } from "../graph-call.js";
import { comparableHash } from "../hash-storage.js";
import { parseListQuery } from "../odata.js";
import { stagedToGraph, stagedView, uploadToGraph } from "../representation.js";
import { parseIdentity, parseImportBody, submit } from "../staging.js";
import type { UploadRecord } from "../store.js";
import { readPage } from "./paging.js";

/**
 * The historical beta importedWindowsAutopilotDeviceIdentityUploads resource (seed 004), modelled as:
 * create → `noUpload`; device identities added to it (deep insert on create, or POST …/deviceIdentities) are staged
 * but wait; `…/deviceIdentities/import` (optionally with more identities) queues them all and moves the upload to
 * `pending`; once every member is final the upload is `complete`, or `error` if any member ended `error`.
 */

const BASE = ["deviceManagement", "importedWindowsAutopilotDeviceIdentityUploads"] as const;
const CONTEXT = "deviceManagement/importedWindowsAutopilotDeviceIdentityUploads";
const UPLOAD_PROPERTIES: ReadonlySet<string> = new Set(["id", "createdDateTimeUtc", "status", "deviceIdentities"]);

function find(state: EmulatorState, id: string | undefined): UploadRecord {
  const upload = state.store.uploads.get(id ?? "");
  if (!upload) throw notFound();
  return upload;
}

function list(call: GraphCall, _params: unknown, state: EmulatorState): GraphResult {
  const query = parseListQuery(call.url.searchParams);
  if (query.filter) throw badRequest("Invalid filter clause: filtering is not supported on importedWindowsAutopilotDeviceIdentityUploads.");
  const scenario = state.scenario();
  const page = readPage(call, query, state.store.uploadOrder, scenario.paging.uploadPageSize, scenario.paging);
  return collection(state, call, CONTEXT, page.items.map(uploadToGraph), page.next);
}

function create(call: GraphCall, _params: unknown, state: EmulatorState): GraphResult {
  const body = call.body ?? {};
  if (!isRecord(body)) throw badRequest("The request body must be an importedWindowsAutopilotDeviceIdentityUpload JSON object.");
  const { acceptUnknownProperties } = state.scenario().service;
  checkProperties(body, UPLOAD_PROPERTIES, "importedWindowsAutopilotDeviceIdentityUpload", acceptUnknownProperties);
  const deep = body["deviceIdentities"];
  if (deep !== undefined && !Array.isArray(deep)) throw badRequest("The property 'deviceIdentities' must be an array.");
  const inputs = (deep ?? []).map((item) => parseIdentity(item, acceptUnknownProperties));
  if (inputs.length > state.scenario().limits.maxImportSize) {
    throw badRequest(`The number of device identities in one upload (${inputs.length}) exceeds the maximum of ${state.scenario().limits.maxImportSize}.`);
  }
  const upload = state.store.addUpload(state.clock.now());
  submit(state, inputs, { uploadId: upload.id, queue: false, defaultImportId: upload.id });
  return entity(state, call, CONTEXT, uploadToGraph(upload), 201);
}

function get(call: GraphCall, params: { readonly id?: string }, state: EmulatorState): GraphResult {
  return entity(state, call, CONTEXT, uploadToGraph(find(state, params.id)));
}

function remove(_call: GraphCall, params: { readonly id?: string }, state: EmulatorState): GraphResult {
  find(state, params.id);
  state.store.deleteUpload(params.id ?? "");
  return { status: 204 };
}

function listMembers(call: GraphCall, params: { readonly id?: string }, state: EmulatorState): GraphResult {
  const upload = find(state, params.id);
  const query = parseListQuery(call.url.searchParams);
  if (query.filter) throw badRequest("Invalid filter clause: filtering is not supported on deviceIdentities.");
  const scenario = state.scenario();
  const page = readPage(call, query, upload.members, scenario.paging.stagedPageSize, scenario.paging);
  return collection(state, call, `${CONTEXT}('${upload.id}')/deviceIdentities`, page.items.map(stagedView(scenario)), page.next);
}

function notImported(upload: UploadRecord): void {
  if (upload.status !== "noUpload") {
    throw new GraphError(409, "Conflict", `The upload '${upload.id}' has already been imported (status '${upload.status}').`);
  }
}

function addMember(call: GraphCall, params: { readonly id?: string }, state: EmulatorState): GraphResult {
  const upload = find(state, params.id);
  notImported(upload);
  const { service } = state.scenario();
  const input = parseIdentity(call.body, service.acceptUnknownProperties);
  if (upload.members.size + 1 > state.scenario().limits.maxImportSize) {
    throw badRequest(`The upload already holds the maximum of ${state.scenario().limits.maxImportSize} device identities.`);
  }
  const [record] = submit(state, [input], { uploadId: upload.id, queue: false, defaultImportId: upload.id });
  return entity(state, call, `${CONTEXT}('${upload.id}')/deviceIdentities`, stagedToGraph(record!, service.importIdKept), 201);
}

function getMember(call: GraphCall, params: { readonly id?: string; readonly memberId?: string }, state: EmulatorState): GraphResult {
  const upload = find(state, params.id);
  const record = state.store.staged.get(params.memberId ?? "");
  if (!record || record.uploadId !== upload.id) throw notFound();
  return entity(state, call, `${CONTEXT}('${upload.id}')/deviceIdentities`, stagedToGraph(record, state.scenario().service.importIdKept));
}

function importUpload(call: GraphCall, params: { readonly id?: string }, state: EmulatorState): GraphResult {
  const upload = find(state, params.id);
  notImported(upload);
  const scenario = state.scenario();
  const { maxImportSize } = scenario.limits;
  const inputs = parseImportBody(call.body, maxImportSize, scenario.service.acceptUnknownProperties, true);
  if (upload.members.size + inputs.length > maxImportSize) {
    throw badRequest(`The number of device identities in one upload (${upload.members.size + inputs.length}) exceeds the maximum of ${maxImportSize}.`);
  }
  if (upload.members.size + inputs.length === 0) throw badRequest("The upload contains no device identities to import.");
  submit(state, inputs, { uploadId: upload.id, queue: false, defaultImportId: upload.id });
  // The upload is one submission: a hash repeated anywhere in it marks the later copies duplicated.
  const seen = new Set<string>();
  const members = [...upload.members];
  for (const member of members) {
    if (member.hash === null || member.hash === "") continue;
    // Members added before a change of limits.hashStorage may be kept in the other form.
    const hash = comparableHash(member.hash);
    member.duplicateInSubmission = seen.has(hash);
    seen.add(hash);
  }
  upload.status = "pending";
  upload.outstanding = members.length;
  upload.failed = 0;
  for (const member of members) state.worker.enqueue(member);
  return {
    status: 200,
    body: {
      "@odata.context": `${state.origin}/${call.version}/$metadata#Collection(microsoft.graph.importedWindowsAutopilotDeviceIdentity)`,
      value: members.map(stagedView(scenario)),
    },
  };
}

export const uploadRoutes: readonly Route[] = [
  { pattern: BASE, betaOnly: true, uploads: true, methods: { GET: list, POST: create } },
  { pattern: [...BASE, "{id}"], betaOnly: true, uploads: true, methods: { GET: get, DELETE: remove } },
  { pattern: [...BASE, "{id}", "deviceIdentities"], betaOnly: true, uploads: true, methods: { GET: listMembers, POST: addMember } },
  { pattern: [...BASE, "{id}", "deviceIdentities", "import"], betaOnly: true, uploads: true, methods: { POST: importUpload } },
  { pattern: [...BASE, "{id}", "deviceIdentities", "{memberId}"], betaOnly: true, uploads: true, methods: { GET: getMember } },
];
