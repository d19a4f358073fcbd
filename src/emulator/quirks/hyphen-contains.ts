import { GraphError, intuneMessage } from "../graph-error.js";
import { errorContextOf, type EmulatorState, type GraphCall } from "../graph-call.js";
import type { Filter } from "../odata.js";

/**
 * `service.hyphenContains400`: the 400 the service answered for `contains(serialNumber,'…')` when the value holds
 * a hyphen (Graph PowerShell SDK issue #2464, 2023, labelled a service issue); hyphen-free values still work.
 */
export function refuseHyphenContains(call: GraphCall, state: EmulatorState, filter: Filter | undefined): void {
  if (filter?.kind !== "contains" || filter.property !== "serialNumber" || !filter.value.includes("-")) return;
  if (!state.scenario().service.hyphenContains400) return;
  throw new GraphError(400, "BadRequest", intuneMessage(errorContextOf(call, state), call.url.href));
}
