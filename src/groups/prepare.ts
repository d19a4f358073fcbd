/** The groups of a command's --add-to-group, resolved with the run's sign-in before anything is written. */
import type { Logger } from "pino";
import type { GraphConfig } from "../graph/create.js";
import { openGraph } from "../run/graph.js";
import { GroupTally, type GroupsRequest } from "./add-to-groups.js";
import { resolveGroups } from "./resolve-groups.js";

export async function prepareGroups(
  graph: GraphConfig,
  asked: { readonly names: readonly string[]; readonly entraWaitMs: number } | undefined,
  runtime: { readonly signal: AbortSignal; readonly logger: Logger },
): Promise<GroupsRequest | undefined> {
  if (!asked) return undefined;
  const { client, close } = openGraph(graph, 1, runtime);
  try {
    const groups = await resolveGroups(client, asked.names, runtime.signal);
    runtime.logger.info({ groups }, "groups to add devices to");
    return { groups, entraWaitMs: asked.entraWaitMs, tally: new GroupTally() };
  } finally {
    close();
  }
}
