/**
 * --add-to-group in an update: each chunk's devices that were found (updated, or already as wanted) go into every
 * named group before the chunk's rows are written; each gets its `groups` cell. A failure of the whole step is told
 * in every such row's cell, never lost.
 */
import { AutopilotImportError } from "../errors.js";
import type { GraphClient } from "../graph/client.js";
import type { UpdateReportRow } from "../update/report.js";
import { addDevicesToGroups, type GroupsRequest, type GroupsRuntime } from "./add-to-groups.js";

const IN_TENANT: ReadonlySet<UpdateReportRow["status"]> = new Set(["updated", "unchanged"]);

export async function addUpdatedRowsToGroups(client: GraphClient, request: GroupsRequest, rows: readonly UpdateReportRow[], runtime: GroupsRuntime): Promise<UpdateReportRow[]> {
  const eligible = rows.filter((row) => IN_TENANT.has(row.status) && row.deviceId !== "");
  if (eligible.length === 0) return [...rows];
  let cells: Map<string, { cell: string }>;
  try {
    cells = await addDevicesToGroups(client, request, eligible.map((row) => row.deviceId), runtime);
  } catch (error) {
    if (runtime.signal.aborted || !(error instanceof AutopilotImportError) || error.kind === "interrupted") throw error;
    const cell = `not added to ${request.groups.map((group) => group.displayName).join(", ")}: ${error.message}`;
    request.tally.failed += eligible.length * request.groups.length;
    request.tally.devicesFailed += eligible.length;
    cells = new Map(eligible.map((row) => [row.deviceId, { cell }]));
  }
  return rows.map((row) => {
    const result = IN_TENANT.has(row.status) ? cells.get(row.deviceId) : undefined;
    return result ? { ...row, groups: result.cell } : row;
  });
}
