import { shuffled, type Random } from "../../util/random.js";
import type { Scenario } from "../scenario.js";

/**
 * How a finished $batch is answered under `service.batchThrottledStatus` and `service.batchShuffle`:
 * the throttling guide says a batch with throttled items "fails with 424" (the body still lists every item),
 * the batching guide says 200 and allows any order of the responses.
 */
export function batchAnswer<T extends { readonly status: number }>(
  responses: readonly T[],
  service: Scenario["service"],
  random: Random,
): { status: number; responses: T[] } {
  const throttled = responses.some((response) => response.status === 429);
  return {
    status: throttled ? service.batchThrottledStatus : 200,
    responses: service.batchShuffle ? shuffled(responses, random) : [...responses],
  };
}
