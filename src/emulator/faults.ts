import type { Random } from "../util/random.js";
import type { Scenario } from "./scenario.js";

export type FaultKind = "503" | "503-retry-after" | "504" | "reset";

/** What the network and the gateway do to one request, decided up front from the seeded PRNG. */
export interface FaultDecision {
  /** Real milliseconds to hold the request before handling it. */
  readonly latencyMs: number;
  readonly kind: FaultKind | undefined;
  /** For 504 and reset: whether the request is applied before the failure is answered. */
  readonly tookEffect: boolean;
}

const NO_FAULT: FaultDecision = { latencyMs: 0, kind: undefined, tookEffect: false };

export function decideFault(random: Random, faults: Scenario["faults"]): FaultDecision {
  const { latency, status503, status503RetryAfter, status504, reset } = faults;
  const anyFault = latency.rate + status503.rate + status503RetryAfter.rate + status504.rate + reset.rate;
  if (anyFault === 0) return NO_FAULT;
  const latencyMs = latency.rate > 0 && random.next() < latency.rate ? random.between(latency.minMs, latency.maxMs) : 0;
  const roll = random.next();
  let bound = status503.rate;
  if (roll < bound) return { latencyMs, kind: "503", tookEffect: false };
  bound += status503RetryAfter.rate;
  if (roll < bound) return { latencyMs, kind: "503-retry-after", tookEffect: false };
  bound += status504.rate;
  if (roll < bound) return { latencyMs, kind: "504", tookEffect: random.next() < status504.tookEffectRatio };
  bound += reset.rate;
  if (roll < bound) return { latencyMs, kind: "reset", tookEffect: random.next() < reset.tookEffectRatio };
  return { latencyMs, kind: undefined, tookEffect: false };
}
