/**
 * Reading the answer to one $batch call: sub-responses matched to items by id (the service may answer them in any
 * order), an outer throttling answer without `responses` spread over every item, and the typed error of an item that
 * failed for good.
 */
import type { BatchItemResult } from "./batch.js";
import type { RequestInfo } from "./errors/attach.js";
import { GraphRequestError } from "./errors/graph-request-error.js";
import { OutcomeUnknownError } from "./errors/outcome-unknown-error.js";
import type { GraphResponse } from "./types.js";

/**
 * Outer answers that speak for the items, not the call: Microsoft's throttling guide says a batch with throttled items
 * "fails with 424" (its batching guide says 200), and a 429/503 may come for the whole call. Their `responses` are read
 * when present; without them every item counts as throttled.
 */
export const ITEM_THROTTLING_STATUSES: readonly number[] = [424, 429, 503];

export interface SubResponse {
  readonly id?: unknown;
  readonly status?: unknown;
  readonly headers?: unknown;
  readonly body?: unknown;
}

/** The sub-responses of an outer answer by item id (`ids`: the items the call carried). */
export function subResponses(response: GraphResponse<unknown>, ids: readonly string[]): Map<string, SubResponse> {
  const answers = new Map<string, SubResponse>();
  const list = (response.body as { responses?: unknown } | undefined)?.responses;
  for (const answer of Array.isArray(list) ? (list as SubResponse[]) : []) answers.set(String(answer.id), answer);
  if (!Array.isArray(list) && ITEM_THROTTLING_STATUSES.includes(response.status)) {
    // The whole call was throttled and says nothing per item: each item waits as the outer answer asks.
    // A 503 stays a 503 (throttling only with a Retry-After, else a transient failure within the retry limits).
    const status = response.status === 503 ? 503 : 429;
    for (const id of ids) answers.set(id, { id, status, headers: response.headers });
  }
  return answers;
}

/** The result of an item that will not be retried: missing from the answer, refused, or with an unknown outcome. */
export function failedItem<T>(
  reason: string,
  info: RequestInfo,
  status: number | undefined,
  headers: Record<string, string>,
  answer: SubResponse | undefined,
): BatchItemResult<T> {
  if (status === undefined) {
    return { ok: false, status, error: new OutcomeUnknownError(info, "missing from the $batch response") };
  }
  const httpError = new GraphRequestError(info, { status, headers, body: answer?.body });
  if (reason === "outcomeUnknown") {
    return { ok: false, status, error: new OutcomeUnknownError(info, `status ${status}`, { cause: httpError, status }) };
  }
  return { ok: false, status, error: httpError };
}

/** A sub-response's headers, lower-cased, strings only. */
export function lowerCaseHeaders(value: unknown): Record<string, string> {
  if (typeof value !== "object" || value === null) return {};
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => typeof v === "string" || typeof v === "number")
      .map(([k, v]) => [k.toLowerCase(), String(v)]),
  );
}
