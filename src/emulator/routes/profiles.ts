/** windowsAutopilotDeploymentProfiles (beta): the scenario's profiles, with their assignments under `$expand=assignments`. */
import { notFound, badRequest } from "../graph-error.js";
import { collection, entity, type EmulatorState, type GraphCall, type GraphResult, type Route } from "../graph-call.js";
import { deploymentProfiles, type DeploymentProfile } from "../profiles.js";
import { assignmentsToGraph, parseExpand, profileToGraph } from "../profiles-view.js";

const BASE = ["deviceManagement", "windowsAutopilotDeploymentProfiles"] as const;
const CONTEXT = "deviceManagement/windowsAutopilotDeploymentProfiles";

function view(call: GraphCall): (profile: DeploymentProfile) => Record<string, unknown> {
  const expand = parseExpand(call.url.searchParams.get("$expand"));
  for (const item of expand) {
    if (item.name !== "assignments") throw badRequest(`Could not find a property named '${item.name}' on type 'microsoft.graph.windowsAutopilotDeploymentProfile'.`);
  }
  return (profile) => ({ ...profileToGraph(profile), ...(expand.length > 0 ? { assignments: assignmentsToGraph(profile) } : {}) });
}

function find(state: EmulatorState, id: string): DeploymentProfile {
  const profile = deploymentProfiles(state.scenario()).find((p) => p.id === id);
  if (!profile) throw notFound(`The windowsAutopilotDeploymentProfile '${id}' was not found.`);
  return profile;
}

function list(call: GraphCall, _params: unknown, state: EmulatorState): GraphResult {
  return collection(state, call, CONTEXT, deploymentProfiles(state.scenario()).map(view(call)));
}

function get(call: GraphCall, params: { readonly id?: string }, state: EmulatorState): GraphResult {
  return entity(state, call, CONTEXT, view(call)(find(state, params.id ?? "")));
}

function assignments(call: GraphCall, params: { readonly id?: string }, state: EmulatorState): GraphResult {
  return collection(state, call, `${CONTEXT}('${params.id ?? ""}')/assignments`, assignmentsToGraph(find(state, params.id ?? "")));
}

export const profileRoutes: readonly Route[] = [
  { pattern: BASE, betaOnly: true, methods: { GET: list } },
  { pattern: [...BASE, "{id}"], betaOnly: true, methods: { GET: get } },
  { pattern: [...BASE, "{id}", "assignments"], betaOnly: true, methods: { GET: assignments } },
];
