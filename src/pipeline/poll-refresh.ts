/**
 * The requests of one poll round, one function per strategy (poll-strategy.ts chooses): JSON-batched GETs of the
 * staged ids, a listing filtered on each upload's importId, or a listing of the whole staged collection. Each hands
 * every tracked record it reads to the poller, and counts a record missing from a complete answer as a miss.
 */
import type { ImportedDeviceIdentity } from "../graph/resources.js";
import type { StagedCollection } from "./poll-estimates.js";
import type { UploadState } from "./poll-schedule.js";
import { choosePollStrategy, type PollCost, type PollStrategy } from "./poll-strategy.js";
import { isBadRequest } from "./reconcile.js";
import { importIdUsable, odataString, type ServiceCapabilities, type StagedApi } from "./staged-api.js";

/** What a refresh reads with and reports to. */
export interface RefreshContext {
  readonly api: StagedApi;
  /** Learns the page size and whether the importId filter works. */
  readonly capabilities: ServiceCapabilities;
  /** Learns the collection's size from listings. */
  readonly collection: StagedCollection;
  readonly now: () => number;
  readonly signal: AbortSignal;
  readonly log?: (fields: Record<string, unknown>, message: string) => void;
  /** When the device in flight with this staged id was staged (undefined: not ours, or final already). */
  tracked(stagedId: string): number | undefined;
  /** Staged ids of these uploads' devices in flight, by upload id. */
  inFlightIds(uploads: readonly UploadState[]): Map<string, string[]>;
  /** Applies a fresh record; true when something changed. */
  apply(record: ImportedDeviceIdentity): boolean;
  /** A tracked record absent from a complete answer; true when that made it final. */
  miss(stagedId: string): boolean;
}

export interface Refreshed {
  readonly progressed: boolean;
  /** Throttling units spent (a page counts one, a $batch one per item). */
  readonly units: number;
  readonly requests: number;
}

/** The cheapest strategy to refresh these uploads' devices, and its cost; undefined when none is in flight. */
export function cheapestRefresh(context: Pick<RefreshContext, "capabilities" | "collection">, uploads: readonly UploadState[]): PollCost | undefined {
  const { capabilities } = context;
  return choosePollStrategy({
    inFlight: uploads.reduce((sum, u) => sum + u.inFlight, 0),
    perUpload: uploads.map((u) => u.staged),
    staged: context.collection.atLeast(capabilities.pageSize),
    pageSize: capabilities.pageSize,
    importIdFilter: importIdUsable(capabilities),
  });
}

/** Refreshes the uploads' devices (`ids`: their staged ids in flight) with this strategy. */
export function refreshWith(strategy: PollStrategy, context: RefreshContext, uploads: readonly UploadState[], ids: readonly string[]): Promise<Refreshed> {
  switch (strategy) {
    case "batch":
      return refreshByGet(context, ids);
    case "byUpload":
      return refreshByUpload(context, uploads);
    case "list":
      return refreshByListing(context, new Set(ids));
  }
}

/** GETs each staged record (JSON-batched); one the service no longer has is a miss. */
export async function refreshByGet(context: RefreshContext, ids: readonly string[]): Promise<Refreshed> {
  const { api, signal } = context;
  const before = api.requests;
  const records = await api.get(ids, signal);
  let progressed = false;
  for (const id of ids) {
    const record = records.get(id);
    if (record) progressed = context.apply(record) || progressed;
    else if (record === null && context.tracked(id) !== undefined) progressed = context.miss(id) || progressed;
  }
  return { progressed, units: ids.length, requests: api.requests - before };
}

/** Lists each upload's records by importId; a service that refuses that filter is polled by listing from then on. */
export async function refreshByUpload(context: RefreshContext, uploads: readonly UploadState[]): Promise<Refreshed> {
  const { api, capabilities, signal } = context;
  const before = api.requests;
  const roundStart = context.now();
  const inFlight = context.inFlightIds(uploads);
  let progressed = false;
  for (const upload of uploads) {
    const seen = new Set<string>();
    try {
      for await (const page of api.list({ filter: `importId eq ${odataString(upload.id)}`, top: capabilities.pageSize, signal })) {
        for (const record of page) {
          seen.add(record.id);
          progressed = context.apply(record) || progressed;
        }
      }
    } catch (error) {
      if (!isBadRequest(error)) throw error;
      capabilities.importIdFilter = false;
      context.log?.({}, "service rejects $filter on importId; polling by listing instead");
      const listed = await refreshByListing(context, new Set([...inFlight.values()].flat()));
      return { ...listed, progressed: listed.progressed || progressed, requests: api.requests - before };
    }
    capabilities.importIdFilter = true;
    progressed = missAbsent(context, inFlight.get(upload.id) ?? [], seen, roundStart) || progressed;
  }
  const requests = api.requests - before;
  return { progressed, units: requests, requests };
}

/** Pages through the staged collection until every wanted record was seen (applying any tracked one met on the way). */
export async function refreshByListing(context: RefreshContext, wanted: ReadonlySet<string>): Promise<Refreshed> {
  const { api, capabilities, signal } = context;
  const before = api.requests;
  const roundStart = context.now();
  const seen = new Set<string>();
  let found = 0;
  let progressed = false;
  let total = 0;
  let pages = 0;
  let firstPage = 0;
  let complete = true;
  for await (const page of api.list({ top: capabilities.pageSize, signal })) {
    pages += 1;
    if (pages === 1) firstPage = page.length;
    else if (pages === 2 && firstPage > 0) capabilities.pageSize = firstPage; // the service's real page size
    total += page.length;
    for (const record of page) {
      if (context.tracked(record.id) === undefined) continue;
      seen.add(record.id);
      if (wanted.has(record.id)) found += 1;
      progressed = context.apply(record) || progressed;
    }
    if (found === wanted.size) {
      complete = false; // every wanted device found: the rest of the collection is not needed
      break;
    }
  }
  // A complete listing measures the others' records; one cut short still gives a lower bound.
  context.collection.listed(total, complete);
  if (complete) progressed = missAbsent(context, wanted, seen, roundStart) || progressed;
  const requests = api.requests - before;
  return { progressed, units: requests, requests };
}

/** Counts a miss for each of these devices the complete answer did not contain (unless staged after it began). */
function missAbsent(context: RefreshContext, ids: Iterable<string>, seen: ReadonlySet<string>, roundStart: number): boolean {
  let progressed = false;
  for (const id of [...ids]) {
    const stagedAt = context.tracked(id);
    if (stagedAt !== undefined && stagedAt < roundStart && !seen.has(id)) progressed = context.miss(id) || progressed;
  }
  return progressed;
}
