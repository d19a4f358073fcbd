/**
 * Before the first submission: one cheap read proves sign-in and permissions, learns whether staged records can be
 * filtered by importId, and (for a run that has not sent anything yet) records which staged records already exist, so
 * that a lost answer can be reconciled by serial number if the service turns out not to keep our importId.
 */
import { randomUUID } from "node:crypto";
import type { ImportJournal } from "./journal-port.js";
import { isBadRequest } from "./reconcile.js";
import { odataString, type ServiceCapabilities, type StagedApi } from "./staged-api.js";

export interface ProbeDeps {
  readonly api: StagedApi;
  readonly capabilities: ServiceCapabilities;
  readonly journal: ImportJournal | undefined;
  readonly signal: AbortSignal;
  readonly log?: (fields: Record<string, unknown>, message: string) => void;
}

export async function probeService(deps: ProbeDeps): Promise<void> {
  const { api, capabilities, signal } = deps;
  try {
    for await (const _page of api.list({ filter: `importId eq ${odataString(randomUUID())}`, top: 1, signal })) break;
    capabilities.importIdFilter = true;
  } catch (error) {
    if (!isBadRequest(error)) throw error;
    capabilities.importIdFilter = false;
  }
  capabilities.baseline = await baselineFor(deps);
}

/** The journal's baseline on a resume; a new one (journaled) for a run that has sent nothing; none when not needed. */
async function baselineFor({ api, capabilities, journal, signal, log }: ProbeDeps): Promise<ReadonlySet<string> | undefined> {
  // The uploads resource settles lost answers by the upload's own status; a kept importId is proof by itself.
  if (api.api !== "import" || capabilities.traits.get("importIdKept") === true) return undefined;
  if (journal?.resumed) return journal.baseline;
  const ids = new Set<string>();
  for await (const page of api.list({ top: capabilities.pageSize, signal })) {
    for (const record of page) ids.add(record.id);
    capabilities.stagedElsewhere.note(page);
  }
  journal?.stagedBaseline(ids);
  log?.({ staged: ids.size }, "noted the staged records already in the tenant");
  return ids;
}
