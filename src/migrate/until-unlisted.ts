/**
 * The old tenant's last word: a record that answers 404 by id may still be listed (and still owns its serial) for a
 * while, so before anything is imported into the new tenant each serial deleted is looked up again (exact match,
 * JSON-batched) until none is listed, at growing intervals, up to a deadline. A lookup that fails counts as listed.
 */
import { findBySerials } from "../after/registered.js";
import type { GraphClient } from "../graph/client.js";
import type { Sleep } from "../util/abort.js";

const FIRST_MS = 2_000;
const MAX_MS = 30_000;

export interface UntilUnlistedOptions {
  readonly deadlineMs: number;
  readonly now: () => number;
  readonly sleep: Sleep;
  readonly signal: AbortSignal;
}

/** Returns the serials still listed when the deadline passed (empty: every one is gone). */
export async function untilUnlisted(client: GraphClient, serials: readonly string[], options: UntilUnlistedOptions): Promise<string[]> {
  const deadline = options.now() + options.deadlineMs;
  let remaining = [...serials];
  for (let interval = FIRST_MS; remaining.length > 0; interval = Math.min(MAX_MS, interval * 1.5)) {
    const found = await findBySerials(client, remaining, options.signal);
    remaining = remaining.filter((_, index) => {
      const lookup = found[index]!;
      return !lookup.ok || lookup.value.length > 0;
    });
    const left = deadline - options.now();
    if (remaining.length === 0 || left <= 0) break;
    await options.sleep(Math.min(interval, left), options.signal);
  }
  return remaining;
}
