import { GraphError, intuneMessage } from "../graph-error.js";
import { errorContextOf, type EmulatorState, type GraphCall } from "../graph-call.js";
import type { Scenario } from "../scenario.js";

export type AutopilotCollection = Scenario["service"]["selectFailsOn"][number];

/**
 * `service.selectFailsOn`: the 500 Intune has answered for `$select` on windowsAutopilotDeviceIdentities
 * (docs issues 2020 and 2021, reported again in 2026), with its Intune-style message and no Retry-After.
 * Call before anything else reads the query, as the failure does not depend on what is selected.
 */
export function failSelectIfReported(call: GraphCall, state: EmulatorState, collection: AutopilotCollection): void {
  if (!call.url.searchParams.has("$select")) return;
  if (!state.scenario().service.selectFailsOn.includes(collection)) return;
  const message = intuneMessage(errorContextOf(call, state), call.url.href, "", "An internal server error has occurred");
  throw new GraphError(500, "InternalServerError", message);
}
