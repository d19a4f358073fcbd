/**
 * How a registration check round looks devices up, chosen by counts like the import's poller (poll-strategy.ts).
 *  - "targeted": one GET per device, JSON-batched 20 per call: by id when the deviceRegistrationId is known, else a
 *                contains(serialNumber) filter; ceil(devices / 20) requests, one throttling unit per device.
 *  - "list":     page through every registered device ($top = page size) and match by id or serial:
 *                ceil(registered / pageSize) requests, one unit each.
 * Fewest requests wins; a tie goes to fewer units, then to "targeted" (its cost is exact, the listing's an estimate).
 * Before the first complete listing the tenant's size is unknown: it is assumed to be our devices plus one page, and
 * a listing is cut off once it has cost what the targeted round would have (see listingBudget).
 */
import { JSON_BATCH_LIMIT } from "../graph/batch.js";

export type VerifyStrategy = "targeted" | "list";

export interface VerifyCounts {
  /** Devices still to confirm. */
  readonly pending: number;
  /** Registered devices in the tenant: measured by a complete listing, or estimated. */
  readonly registered: number;
  /** The page size the service honours for $top. */
  readonly pageSize: number;
}

export interface VerifyCost {
  readonly strategy: VerifyStrategy;
  /** HTTP requests for the round. */
  readonly requests: number;
  /** Throttling units for the round. */
  readonly units: number;
}

export function verifyCosts(counts: VerifyCounts): VerifyCost[] {
  if (counts.pending <= 0) return [];
  const page = Math.max(1, counts.pageSize);
  const listed = Math.ceil(Math.max(counts.registered, counts.pending) / page);
  return [
    { strategy: "targeted", requests: Math.ceil(counts.pending / JSON_BATCH_LIMIT), units: counts.pending },
    { strategy: "list", requests: listed, units: listed },
  ];
}

/** The cheapest strategy for this round, or undefined when nothing is pending. */
export function chooseVerifyStrategy(counts: VerifyCounts): VerifyCost | undefined {
  let best: VerifyCost | undefined;
  for (const cost of verifyCosts(counts)) {
    if (!best || cost.requests < best.requests || (cost.requests === best.requests && cost.units < best.units)) best = cost;
  }
  return best;
}

/** Pages a listing may read before it is abandoned for the targeted round: what that round would have cost. */
export function listingBudget(pending: number): number {
  return Math.max(1, Math.ceil(pending / JSON_BATCH_LIMIT));
}

/** The tenant size to plan with: the last complete listing's count, else our devices plus one page. */
export function registeredEstimate(measured: number | undefined, ours: number, pageSize: number): number {
  return measured ?? ours + pageSize;
}
