/** What one DELETE of a staged record (a $batch item) means for the cleanup. */
import type { BatchItemResult } from "../graph/batch.js";
import { serverRetryDelay } from "../graph/retry/retry-after.js";

export type DeleteVerdict =
  /** 2xx: deleted now. */
  | { readonly kind: "deleted" }
  /** 404: already gone (an earlier delete whose answer was lost, or someone else's cleanup): counts as deleted. */
  | { readonly kind: "gone" }
  /** 429 (or 503 with Retry-After): send it again after the wait. */
  | { readonly kind: "throttled"; readonly retryAfterMs: number | undefined }
  /** 5xx, a lost answer: send it again after a backoff. */
  | { readonly kind: "transient" }
  /** 401/403: this sign-in may not delete staged records; nothing more can be deleted. */
  | { readonly kind: "denied"; readonly status: number }
  /** Another 4xx: this record cannot be deleted; left for a later cleanup. */
  | { readonly kind: "refused"; readonly status: number };

/** The verdict for one item; `now` dates an HTTP-date Retry-After. */
export function deleteVerdict(result: BatchItemResult, now: number): DeleteVerdict {
  if (result.ok) return { kind: "deleted" };
  const status = result.status;
  if (status === 404) return { kind: "gone" };
  const headers = "response" in result.error ? result.error.response?.headers : undefined;
  const retryAfterMs = headers ? serverRetryDelay(headers, now) : undefined;
  if (status === 429 || (status === 503 && retryAfterMs !== undefined)) return { kind: "throttled", retryAfterMs };
  if (status === 401 || status === 403) return { kind: "denied", status };
  if (status === undefined || status === 408 || status >= 500) return { kind: "transient" };
  return { kind: "refused", status };
}
