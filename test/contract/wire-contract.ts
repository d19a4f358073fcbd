/**
 * Which part of the metadata a request body must conform to, by method and path: the bound actions' parameters, the
 * entity a POST creates, the beta singleton a PATCH updates, or no body at all. A body on a request this table does
 * not know is itself a violation, so a new kind of write cannot slip past the contract.
 */
import type { ObservedGraphRequest } from "../../src/emulator/index.js";
import { checkActionBody, checkBetaInstance, type Violation } from "./conformance.js";
import type { Contract } from "./metadata.js";

export type BodyContract =
  /** Parameters of the action `name` bound to `binding` (v1.0 declares the actions; beta's mappings list no actions). */
  | { readonly kind: "action"; readonly name: string; readonly binding: string }
  /** A beta entity: names from the beta mappings, values by v1.0's declaration where it has one. */
  | { readonly kind: "beta entity"; readonly type: string }
  | { readonly kind: "no body" }
  /** A $batch envelope: its items are observed (and checked) one by one. */
  | { readonly kind: "batch" };

interface Route {
  readonly method: string;
  readonly path: RegExp;
  readonly contract: BodyContract;
}

const STAGED = "/deviceManagement/importedWindowsAutopilotDeviceIdentities";
const REGISTERED = "/deviceManagement/windowsAutopilotDeviceIdentities";
const UPLOADS = "/deviceManagement/importedWindowsAutopilotDeviceIdentityUploads";
const SETTINGS = "/deviceManagement/windowsAutopilotSettings";
const KEY = "[^/]+";
const exactly = (path: string): RegExp => new RegExp(`^${path.replaceAll("$", "\\$")}$`);

const IMPORT: BodyContract = { kind: "action", name: "import", binding: "Collection(graph.importedWindowsAutopilotDeviceIdentity)" };

const ROUTES: readonly Route[] = [
  { method: "POST", path: exactly(`${STAGED}/import`), contract: IMPORT },
  // An upload's deviceIdentities is a Collection(importedWindowsAutopilotDeviceIdentity): the same bound action.
  { method: "POST", path: exactly(`${UPLOADS}/${KEY}/deviceIdentities/import`), contract: IMPORT },
  { method: "POST", path: exactly(`${REGISTERED}/${KEY}/updateDeviceProperties`), contract: { kind: "action", name: "updateDeviceProperties", binding: "graph.windowsAutopilotDeviceIdentity" } },
  { method: "POST", path: exactly(UPLOADS), contract: { kind: "beta entity", type: "importedWindowsAutopilotDeviceIdentityUpload" } },
  { method: "PATCH", path: exactly(SETTINGS), contract: { kind: "beta entity", type: "windowsAutopilotSettings" } },
  { method: "POST", path: exactly(`${SETTINGS}/sync`), contract: { kind: "no body" } },
  { method: "POST", path: exactly("/$batch"), contract: { kind: "batch" } },
];

/** The contract of a request; reads (GET) and deletes carry no body. */
export function contractFor(request: Pick<ObservedGraphRequest, "method" | "path">): BodyContract | undefined {
  const path = request.path.split("?")[0]!;
  if (request.method === "GET" || request.method === "DELETE") return { kind: "no body" };
  return ROUTES.find((route) => route.method === request.method && route.path.test(path))?.contract;
}

/** The violations of one observed request's body. */
export function checkRequestBody(contract: Contract, request: ObservedGraphRequest): Violation[] {
  const rule = contractFor(request);
  const where = `${request.method} /${request.version}${request.path}`;
  if (!rule) return request.body === undefined ? [] : [{ path: where, message: "carries a body, but no contract covers this request" }];
  switch (rule.kind) {
    case "no body":
      return request.body === undefined ? [] : [{ path: where, message: "carries a body where none is defined" }];
    case "batch":
      return [];
    case "action":
      return checkActionBody(contract.v1, contract.v1.boundAction(rule.name, rule.binding), request.body, where);
    case "beta entity":
      return checkBetaInstance(contract, rule.type, request.body, where);
  }
}
