/** One $batch of deletes of staged records: its requests, and what their answers came to (per item: delete-verdict.ts). */
import { ServiceError } from "../errors.js";
import type { BatchItemResult } from "../graph/batch.js";
import type { GraphRequest } from "../graph/types.js";
import type { SettledDeletes } from "./cleanup-queue.js";
import { deleteVerdict } from "./delete-verdict.js";

export const STAGED_PATH = "/deviceManagement/importedWindowsAutopilotDeviceIdentities";

/** A DELETE per staged id. */
export function deleteRequests(ids: readonly string[]): GraphRequest[] {
  return ids.map((id) => ({
    method: "DELETE",
    path: `${STAGED_PATH}/${encodeURIComponent(id)}`,
    // A 429 comes back to us: the pacer waits it out and shrinks, instead of the client's loop resending at once.
    retry: { maxThrottleRetries: 0 },
  }));
}

export interface DeleteTally extends SettledDeletes {
  /** Ids deleted now or found already gone: journaled as deleted. */
  readonly done: readonly string[];
  /** Ids the service refused to delete for good, with its status (`refused` counts them). */
  readonly refusals: ReadonlyArray<{ readonly id: string; readonly status: number }>;
  /** Some item was throttled; `retryAfterMs` is the longest wait any of them asked for. */
  readonly throttled: boolean;
  readonly retryAfterMs: number | undefined;
  /** Some item failed for a transient reason (5xx, a lost answer). */
  readonly transient: boolean;
  /** The status of an item refused for lack of permission (401/403): nothing more can be deleted. */
  readonly denied: number | undefined;
}

/** Sums up the answers to deletes of `ids` (one result per id, in order); `now` dates an HTTP-date Retry-After. */
export function tallyDeletes(ids: readonly string[], results: readonly BatchItemResult[], now: number): DeleteTally {
  const done: string[] = [];
  const again: string[] = [];
  const refusals: Array<{ id: string; status: number }> = [];
  let gone = 0;
  let throttled = false;
  let retryAfterMs: number | undefined;
  let transient = false;
  let denied: number | undefined;
  results.forEach((result, i) => {
    const id = ids[i]!;
    const verdict = deleteVerdict(result, now);
    switch (verdict.kind) {
      case "deleted":
        done.push(id);
        return;
      case "gone":
        done.push(id);
        gone += 1;
        return;
      case "throttled":
        throttled = true;
        if (verdict.retryAfterMs !== undefined) retryAfterMs = Math.max(retryAfterMs ?? 0, verdict.retryAfterMs);
        again.push(id);
        return;
      case "transient":
        transient = true;
        again.push(id);
        return;
      case "denied":
        denied = verdict.status;
        again.push(id);
        return;
      case "refused":
        refusals.push({ id, status: verdict.status });
        return;
    }
  });
  return { deleted: done.length - gone, gone, again, refused: refusals.length, done, refusals, throttled, retryAfterMs, transient, denied };
}

/** The error that stops the cleanup when the sign-in may not delete staged records (401/403). */
export function deleteDenied(status: number): ServiceError {
  return new ServiceError(
    `deleting staged records was refused (HTTP ${status}): the app needs DeviceManagementServiceConfig.ReadWrite.All; ` +
      "the records left are deleted by `autopilot-import cleanup` once it may",
    status,
  );
}
