/**
 * How the single poller refreshes the devices in flight, and how long it waits between rounds.
 * Pure functions of counts and time, so the choice is unit-tested and documented in one place.
 *
 * Strategies, with their cost in HTTP requests per round:
 *  - "batch":    JSON-batched GETs of each staged record, 20 per $batch: ceil(inFlight / 20).
 *                Graph throttles each inner request, so a batch costs `inFlight` request units.
 *  - "list":     page through the whole staged collection ($top = page size) and match by id:
 *                ceil(staged / pageSize), where `staged` counts every staged record in the tenant, ours or not.
 *  - "byUpload": list with $filter=importId eq '<upload>' per upload in flight (only when the service supports
 *                that filter): sum over uploads of ceil(inFlightInUpload / pageSize).
 * The cheapest in HTTP requests wins; ties go to the strategy with fewer throttling units (a page costs one unit
 * where a batch costs one per device), then to byUpload (its cost is exact, the listing's an estimate).
 * Before the first full listing the staged collection's size is unknown; the poller then assumes one extra page.
 */

import { JSON_BATCH_LIMIT } from "../graph/batch.js";
import { nextBackoff } from "../util/backoff.js";

export type PollStrategy = "batch" | "list" | "byUpload";


export interface PollCounts {
  /** Devices not yet final. */
  readonly inFlight: number;
  /** In-flight devices per upload (only the counts matter). */
  readonly perUpload: readonly number[];
  /** Estimated size of the whole staged collection (from the last listing; at least what we staged). */
  readonly staged: number;
  /** The page size the service honours for $top. */
  readonly pageSize: number;
  /** Whether `$filter=importId eq '…'` is known to work; false when unknown or rejected. */
  readonly importIdFilter: boolean;
}

export interface PollCost {
  readonly strategy: PollStrategy;
  /** HTTP requests per round. */
  readonly requests: number;
  /** Throttling units per round (what the service's "all requests" bucket counts). */
  readonly units: number;
}

/** The cost of each available strategy for one polling round. */
export function pollCosts(counts: PollCounts): PollCost[] {
  const { inFlight, pageSize } = counts;
  if (inFlight === 0) return [];
  const page = Math.max(1, pageSize);
  const costs: PollCost[] = [];
  // byUpload first: on a tie its exact cost beats the listing's estimate.
  if (counts.importIdFilter) {
    const byUpload = counts.perUpload.filter((n) => n > 0).reduce((sum, n) => sum + Math.ceil(n / page), 0);
    costs.push({ strategy: "byUpload", requests: byUpload, units: byUpload });
  }
  const listRequests = Math.ceil(Math.max(counts.staged, inFlight) / page);
  costs.push({ strategy: "list", requests: listRequests, units: listRequests });
  costs.push({ strategy: "batch", requests: Math.ceil(inFlight / JSON_BATCH_LIMIT), units: inFlight });
  return costs;
}

/** The strategy with the fewest requests (then fewest units) for this round. */
export function choosePollStrategy(counts: PollCounts): PollCost | undefined {
  const costs = pollCosts(counts);
  let best: PollCost | undefined;
  for (const cost of costs) {
    if (!best || cost.requests < best.requests || (cost.requests === best.requests && cost.units < best.units)) {
      best = cost;
    }
  }
  return best;
}

export interface IntervalPolicy {
  /** First wait, and the wait after any round that saw progress. */
  readonly minMs: number;
  /** Longest wait while nothing changes. */
  readonly maxMs: number;
  /** Growth per round without progress. */
  readonly factor: number;
  /**
   * Milliseconds of waiting per throttling unit a round costs, so polling uses a bounded share of the
   * service's request budget (1,000 per 20 s per app: 20 ms per unit is all of it, 40 ms half).
   */
  readonly msPerUnit: number;
}

export const DEFAULT_INTERVAL_POLICY: IntervalPolicy = { minMs: 2_000, maxMs: 30_000, factor: 1.5, msPerUnit: 40 };

/** The next base interval: back to the minimum after progress, otherwise grow up to the maximum. */
export function nextInterval(previousMs: number | undefined, progressed: boolean, policy: IntervalPolicy): number {
  return progressed ? policy.minMs : nextBackoff(previousMs, policy);
}

/** The wait before the next round: the base interval, never below the round's share of the request budget. */
export function waitBeforeNextRound(baseMs: number, lastRoundUnits: number, policy: IntervalPolicy): number {
  return Math.max(baseMs, lastRoundUnits * policy.msPerUnit);
}
