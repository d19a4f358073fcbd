/**
 * Sends the writes of each device update paced by the write budget (WritePacer): JSON batches of up to 20, each call
 * one write. A 429 comes back to us instead of the client's own loop (the pacer waits out Retry-After and slows down),
 * and the throttled calls go again: a throttled write that later succeeds is never a failed row.
 *
 * A user is removed with unassignUserFromDevice, the metadata's action for it, not with `userPrincipalName: ""` in
 * updateDeviceProperties: whether the service clears the user on an empty value is undocumented (the emulator's
 * service.emptyUserInUpdate knob answers both ways), and an empty value it ignores would be reported `updated` wrongly.
 */
import type { WritePacer } from "../after/write-pacer.js";
import { REGISTERED_PATH } from "../after/registered.js";
import { ServiceError } from "../errors.js";
import type { BatchItemResult } from "../graph/batch.js";
import type { GraphClient } from "../graph/client.js";
import { serverRetryDelay } from "../graph/retry/retry-after.js";
import type { GraphRequest } from "../graph/types.js";
import type { Sleep } from "../util/abort.js";
import type { Logger } from "../util/logger.js";
import { updateBody, type FieldChange } from "./changes.js";

export interface DeviceUpdate {
  readonly deviceId: string;
  readonly changes: readonly FieldChange[];
}

/** A write's result: done, or failed with the service's words. */
export type WriteResult = { readonly ok: true } | { readonly ok: false; readonly message: string };

export interface WriteRuntime {
  readonly client: GraphClient;
  readonly pacer: WritePacer;
  readonly signal: AbortSignal;
  readonly now: () => number;
  readonly sleep: Sleep;
  readonly logger?: Logger | undefined;
}

/** A user being removed: the one change updateDeviceProperties is not trusted with. */
const clearsUser = (change: FieldChange): boolean => change.field === "userPrincipalName" && change.to === "";

/** The requests an update takes: updateDeviceProperties for what it sets, unassignUserFromDevice to remove a user. */
export function updateRequests(update: DeviceUpdate): GraphRequest[] {
  const devicePath = `${REGISTERED_PATH}/${encodeURIComponent(update.deviceId)}`;
  // Setting the same values (or removing the same user) twice is harmless, so a lost answer may be resent.
  const common = { method: "POST", idempotent: true, retry: { maxThrottleRetries: 0 } } as const;
  const sets = update.changes.filter((change) => !clearsUser(change));
  const requests: GraphRequest[] = [];
  if (sets.length > 0) requests.push({ ...common, path: `${devicePath}/updateDeviceProperties`, body: updateBody(sets) });
  if (update.changes.some(clearsUser)) requests.push({ ...common, path: `${devicePath}/unassignUserFromDevice` });
  return requests;
}

type Verdict = { readonly kind: "done" } | { readonly kind: "throttled"; readonly retryAfterMs: number | undefined } | { readonly kind: "failed"; readonly message: string };

function verdictOf(result: BatchItemResult, now: number): Verdict {
  if (result.ok) return { kind: "done" };
  const status = result.status;
  const headers = "response" in result.error ? result.error.response?.headers : undefined;
  const retryAfterMs = headers ? serverRetryDelay(headers, now) : undefined;
  if (status === 429 || (status === 503 && retryAfterMs !== undefined)) return { kind: "throttled", retryAfterMs };
  if (status === 401 || status === 403) {
    // Nothing more can be written: the run stops (exit 3) and the rows sent stay in flight for the next run to check.
    throw new ServiceError(`updating devices was refused (HTTP ${status}): the app needs DeviceManagementServiceConfig.ReadWrite.All`, status);
  }
  if (status === 404) return { kind: "failed", message: "The device is no longer registered (404): nothing was changed." };
  return { kind: "failed", message: `The service refused the update: ${result.error.message}` };
}

/** Told around each batch: `sending` just before it goes (journal the intents), `settled` with the results it brought. */
export interface BatchHooks {
  readonly sending: (indices: readonly number[]) => void;
  readonly settled: (results: ReadonlyArray<readonly [index: number, result: WriteResult]>) => void;
}

/** Writes every update (one result each, in order), waiting for the write budget between batches. */
export async function sendUpdates(runtime: WriteRuntime, updates: readonly DeviceUpdate[], hooks?: BatchHooks): Promise<WriteResult[]> {
  const { client, pacer, signal } = runtime;
  const results = new Array<WriteResult>(updates.length);
  // Each write is [update index, request]; an update is settled once all its writes are, failed if one failed.
  const writes = updates.flatMap((update, index) => updateRequests(update).map((request) => [index, request] as const));
  const writesLeft = new Array<number>(updates.length).fill(0);
  for (const [index] of writes) writesLeft[index] = (writesLeft[index] ?? 0) + 1;
  const failures = new Map<number, string>();
  let queue = writes.map((_, w) => w);
  while (queue.length > 0) {
    const size = pacer.batchSize(queue.length, 0, runtime.now());
    const waitMs = pacer.waitMs(size, 0, runtime.now());
    if (waitMs > 0) {
      await runtime.sleep(waitMs, signal);
      continue;
    }
    const batch = queue.slice(0, size);
    hooks?.sending([...new Set(batch.map((w) => writes[w]![0]))]);
    pacer.spend(batch.length, runtime.now());
    const answers = await client.batch(batch.map((w) => writes[w]![1]), { signal });
    const now = runtime.now();
    const again: number[] = [];
    let retryAfterMs: number | undefined;
    let done = 0;
    const settled: Array<readonly [number, WriteResult]> = [];
    batch.forEach((w, i) => {
      const index = writes[w]![0];
      const verdict = verdictOf(answers[i]!, now);
      if (verdict.kind === "throttled") {
        again.push(w);
        if (verdict.retryAfterMs !== undefined) retryAfterMs = Math.max(retryAfterMs ?? 0, verdict.retryAfterMs);
        return;
      }
      if (verdict.kind === "done") done += 1;
      else if (!failures.has(index)) failures.set(index, verdict.message);
      writesLeft[index] = (writesLeft[index] ?? 1) - 1;
      if (writesLeft[index] !== 0) return;
      const failure = failures.get(index);
      results[index] = failure === undefined ? { ok: true } : { ok: false, message: failure };
      settled.push([index, results[index]]);
    });
    hooks?.settled(settled);
    if (again.length > 0) {
      pacer.onThrottled(retryAfterMs, done, now);
      runtime.logger?.warn({ throttled: again.length, retryAfterMs, rateShare: pacer.rateShare }, "device updates throttled: slowing down");
    } else pacer.onClean();
    // The throttled ones go first next time, so none waits behind later rows for ever.
    queue = [...again, ...queue.slice(size)];
  }
  return results;
}
