/**
 * --add-to-group in an import: after the registration check, the rows whose device is registered (registered = yes,
 * with its Autopilot record id) go into every named group; each gets its `groups` cell. A failure of the whole step
 * (sign-in, the service) is told in every row's cell, never lost.
 */
import { AutopilotImportError } from "../errors.js";
import type { GraphClient } from "../graph/client.js";
import type { ImportReportRow } from "../pipeline/types.js";
import { sleep as realSleep, type Sleep } from "../util/abort.js";
import { addDevicesToGroups, type GroupsRequest } from "./add-to-groups.js";
import { tagRuleHint } from "./tag-rule-hint.js";

export interface ImportGroupsRuntime {
  readonly signal: AbortSignal;
  readonly now?: () => number;
  readonly sleep?: Sleep;
  /** Tells a step (and the group tag hint) to the person running the import. */
  readonly step: (message: string) => void;
}

export async function addImportedRowsToGroups(client: GraphClient, request: GroupsRequest, rows: readonly ImportReportRow[], runtime: ImportGroupsRuntime): Promise<ImportReportRow[]> {
  const eligible = rows.filter((row) => row.registered === "yes" && row.deviceRegistrationId !== "");
  if (eligible.length === 0) return [...rows];
  const names = request.groups.map((group) => group.displayName).join(", ");
  runtime.step(`Adding ${eligible.length} registered device(s) to ${names}…`);
  const hint = tagRuleHint(eligible.map((row) => row.groupTag));
  if (hint) (request.tell ?? runtime.step)(hint);
  let cells: Map<string, { cell: string }>;
  try {
    cells = await addDevicesToGroups(client, request, eligible.map((row) => row.deviceRegistrationId), {
      signal: runtime.signal,
      now: runtime.now ?? Date.now,
      sleep: runtime.sleep ?? ((ms, signal) => realSleep(ms, signal)),
    });
  } catch (error) {
    if (runtime.signal.aborted || !(error instanceof AutopilotImportError) || error.kind === "interrupted") throw error;
    const cell = `not added to ${names}: ${error.message}`;
    request.tally.failed += eligible.length * request.groups.length;
    request.tally.devicesFailed += eligible.length;
    cells = new Map(eligible.map((row) => [row.deviceRegistrationId, { cell }]));
  }
  return rows.map((row) => {
    const result = row.registered === "yes" ? cells.get(row.deviceRegistrationId) : undefined;
    return result ? { ...row, groups: result.cell } : row;
  });
}
