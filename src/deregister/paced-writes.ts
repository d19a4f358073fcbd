/**
 * Writes (DELETEs) sent at the app's write budget: JSON-batched up to 20, each batch waiting until the pacer (the
 * import cleanup's token bucket, src/after/write-pacer.ts) affords it. A throttled item comes back to us instead of
 * the client's loop, is put back in front, and goes again once Retry-After has passed, so no row fails for a write
 * that is throttled and later succeeds; the pacer then slows down and shrinks its batches (AIMD).
 */
import type { BatchItemResult } from "../graph/batch.js";
import type { GraphClient } from "../graph/client.js";
import type { GraphRequest } from "../graph/types.js";
import { deleteVerdict } from "../after/delete-verdict.js";
import type { WritePacer } from "../after/write-pacer.js";
import type { Sleep } from "../util/abort.js";

export interface PacedWritesRuntime {
  readonly client: GraphClient;
  readonly pacer: WritePacer;
  readonly now: () => number;
  readonly sleep: Sleep;
  readonly signal: AbortSignal;
}

/** Sends every request (one write each); one final result per request, in order (never a throttled one). */
/** `onSend`: the indices about to go, just before their batch is sent (their intents are journaled there). */
export async function sendPaced(runtime: PacedWritesRuntime, requests: readonly GraphRequest[], onSend?: (indices: readonly number[]) => void): Promise<BatchItemResult[]> {
  const { client, pacer, now, sleep, signal } = runtime;
  const results = new Array<BatchItemResult>(requests.length);
  let waiting = requests.map((_, index) => index);
  while (waiting.length > 0) {
    // Whole batches (20, or fewer after throttling): nothing else shares the budget, so waiting for a full batch costs
    // no time and saves requests.
    const size = Math.min(waiting.length, pacer.batchCap);
    const waitMs = pacer.waitMs(size, 0, now());
    if (waitMs > 0) {
      await sleep(waitMs, signal);
      continue;
    }
    const taken = waiting.slice(0, size);
    waiting = waiting.slice(size);
    onSend?.(taken);
    pacer.spend(taken.length, now());
    // A 429 comes back to us: the pacer waits it out and shrinks, instead of the client's loop resending at once.
    const answers = await client.batch(taken.map((index) => ({ ...requests[index]!, retry: { maxThrottleRetries: 0 } })), { signal });
    const again: number[] = [];
    let retryAfterMs: number | undefined;
    answers.forEach((answer, i) => {
      const verdict = deleteVerdict(answer, now());
      if (verdict.kind !== "throttled") results[taken[i]!] = answer;
      else {
        again.push(taken[i]!);
        if (verdict.retryAfterMs !== undefined) retryAfterMs = Math.max(retryAfterMs ?? 0, verdict.retryAfterMs);
      }
    });
    if (again.length > 0) pacer.onThrottled(retryAfterMs, taken.length - again.length, now());
    else pacer.onClean();
    waiting = [...again, ...waiting];
  }
  return results;
}
