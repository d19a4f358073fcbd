/**
 * JSON batching: requests sent in $batch calls of at most 20 (one API version per call), each item retried on its own
 * per the retry policy, one result per request in order. Reading an answer is batch-answers.ts.
 */
import { randomUUID } from "node:crypto";
import { UsageError } from "../errors.js";
import type { Sleep } from "../util/abort.js";
import { failedItem, ITEM_THROTTLING_STATUSES, lowerCaseHeaders, subResponses } from "./batch-answers.js";
import type { RequestInfo } from "./errors/attach.js";
import { GraphNetworkError } from "./errors/graph-network-error.js";
import { GraphRequestError } from "./errors/graph-request-error.js";
import { OutcomeUnknownError } from "./errors/outcome-unknown-error.js";
import { decideRetry } from "./retry/decide.js";
import { mergeRetryOptions, type RetryOptions } from "./retry/policy.js";
import { pathHasSelect, pathWithoutSelect } from "./query-options.js";
import type { ServiceTraits } from "./service-traits.js";
import type { StatsCounter } from "./stats.js";
import type { GraphRequest, GraphResponse } from "./types.js";
import type { GraphVersion, ThrottleObserver } from "./client.js";
import type { Logger } from "../util/logger.js";

/** Graph's documented limit of requests per $batch call. */
export const JSON_BATCH_LIMIT = 20;

export interface BatchOptions {
  /** Requests per $batch call, 1..20 (default 20). */
  readonly batchSize?: number;
  readonly signal?: AbortSignal;
}

/** One request's outcome inside a batch; failures are data, so one bad item does not sink the others. */
export type BatchItemResult<T = unknown> =
  | { readonly ok: true; readonly response: GraphResponse<T> }
  | {
      readonly ok: false;
      readonly status: number | undefined;
      readonly error: GraphRequestError | OutcomeUnknownError | GraphNetworkError;
    };

export interface BatchContext {
  /** Sends the outer $batch POST through the client's retry loop. */
  send(request: GraphRequest): Promise<GraphResponse<unknown>>;
  urlFor(path: string, version?: GraphVersion): URL;
  readonly defaultVersion: GraphVersion;
  readonly retry: RetryOptions;
  readonly stats: StatsCounter;
  readonly observer: ThrottleObserver | undefined;
  readonly logger: Logger | undefined;
  readonly signal: AbortSignal;
  readonly now: () => number;
  readonly random: () => number;
  readonly sleep: Sleep;
  readonly traits: ServiceTraits;
}

interface PendingItem {
  readonly index: number;
  readonly request: GraphRequest;
  /** The request's path, without `$select` once the service refused it. */
  path: string;
  /** Whether the item is being tried again without the `$select` the service refused. */
  selectTrial: boolean;
  /** The client's retry limits with the request's own overrides. */
  readonly retry: RetryOptions;
  attempt: number;
  throttled: number;
}

export async function executeBatch<T>(
  context: BatchContext,
  requests: readonly GraphRequest[],
  options: BatchOptions,
): Promise<Array<BatchItemResult<T>>> {
  const size = options.batchSize ?? JSON_BATCH_LIMIT;
  if (!Number.isSafeInteger(size) || size < 1 || size > JSON_BATCH_LIMIT) {
    throw new UsageError(`batch size must be an integer from 1 to ${JSON_BATCH_LIMIT}, got ${String(options.batchSize)}`);
  }
  const results = new Array<BatchItemResult<T>>(requests.length);
  // One $batch call carries one API version.
  const byVersion = new Map<GraphVersion, PendingItem[]>();
  requests.forEach((request, index) => {
    const version = request.version ?? context.defaultVersion;
    const group = byVersion.get(version) ?? [];
    group.push({ index, request, path: request.path, selectTrial: false, retry: mergeRetryOptions(context.retry, request.retry), attempt: 1, throttled: 0 });
    byVersion.set(version, group);
  });
  for (const [version, items] of byVersion) {
    for (let start = 0; start < items.length; start += size) {
      await runChunk(context, version, items.slice(start, start + size), results);
    }
  }
  return results;
}

async function runChunk<T>(
  context: BatchContext,
  version: GraphVersion,
  chunk: PendingItem[],
  results: Array<BatchItemResult<T>>,
): Promise<void> {
  let pending = chunk;
  while (pending.length > 0) {
    const batchId = randomUUID();
    context.stats.add("batchedRequests", pending.length);
    let response: GraphResponse<unknown>;
    try {
      response = await context.send({
        method: "POST",
        path: "/$batch",
        version,
        // Resending the whole batch after an unknown outcome is safe only if every item is.
        idempotent: pending.every(isIdempotent),
        headers: { "client-request-id": batchId },
        body: { requests: pending.map((item) => toSubRequest(item, context.traits)) },
        signal: context.signal,
        acceptStatuses: ITEM_THROTTLING_STATUSES,
      });
    } catch (error) {
      // The whole call failed: each item of this chunk gets that error; other chunks still run.
      // Authentication failures and aborts end the run instead.
      if (!(error instanceof GraphRequestError || error instanceof OutcomeUnknownError || error instanceof GraphNetworkError)) {
        throw error;
      }
      for (const item of pending) results[item.index] = { ok: false, status: error.status, error };
      return;
    }
    const answers = subResponses(response, pending.map((item) => String(item.index)));

    const retry: PendingItem[] = [];
    let waitMs = 0;
    let sawThrottle = false;
    for (const item of pending) {
      const answer = answers.get(String(item.index));
      const status = typeof answer?.status === "number" ? answer.status : undefined;
      const headers = lowerCaseHeaders(answer?.headers);
      const info = requestInfo(context, item, version, batchId);
      if (status !== undefined) context.stats.status(status, true);
      if (status !== undefined && status >= 200 && status < 300) {
        if (item.selectTrial) context.traits.learn("selectWorks", false);
        results[item.index] = {
          ok: true,
          response: { status, headers, body: answer?.body as T, requestId: headers["request-id"] },
        };
        continue;
      }
      if (status !== undefined && (status === 400 || status >= 500) && retryWithoutSelect(item, context.traits)) {
        // $select has answered 500 on the real service: the item goes again at once, without it.
        item.attempt += 1;
        retry.push(item);
        continue;
      }
      const decision = decideRetry(
        {
          attempt: item.attempt,
          throttled: item.throttled,
          status,
          // A sub-response missing from the answer: it may or may not have run.
          error: status === undefined ? { kind: "sent", code: "MISSING_BATCH_RESPONSE" } : undefined,
          headers,
          now: context.now(),
          idempotent: isIdempotent(item),
          // A 401 inside a batch is about the item, not our token (the outer call was accepted).
          tokenRefreshed: true,
        },
        item.retry,
        context.random,
      );
      if (decision.kind === "retry") {
        if (decision.cause === "throttled") {
          item.throttled += 1;
          sawThrottle = true;
          context.stats.add("throttled");
        }
        item.attempt += 1;
        context.stats.add("retries");
        waitMs = Math.max(waitMs, decision.delayMs);
        retry.push(item);
        continue;
      }
      results[item.index] = failedItem(decision.kind === "fail" ? decision.reason : "status", info, status, headers, answer);
    }
    if (sawThrottle) context.observer?.onThrottle();
    else context.observer?.onSuccess();
    if (retry.length > 0) {
      context.logger?.warn({ items: retry.length, delayMs: waitMs, version }, "retrying throttled or failed batch items");
      await context.sleep(waitMs, context.signal);
    }
    pending = retry;
  }
}

function isIdempotent(item: PendingItem): boolean {
  return item.request.idempotent ?? item.request.method !== "POST";
}

/** Strips an item's `$select` for one more try, once; false when it has none or already tried. */
function retryWithoutSelect(item: PendingItem, traits: ServiceTraits): boolean {
  if (item.request.method !== "GET" || item.selectTrial || !traits.works("selectWorks") || !pathHasSelect(item.path)) return false;
  item.selectTrial = true;
  item.path = pathWithoutSelect(item.path);
  return true;
}

function toSubRequest(item: PendingItem, traits: ServiceTraits): Record<string, unknown> {
  const { request } = item;
  const url = traits.works("selectWorks") ? item.path : pathWithoutSelect(item.path);
  const headers: Record<string, string> = { ...request.headers };
  if (request.body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === "content-type")) {
    headers["content-type"] = "application/json";
  }
  return {
    id: String(item.index),
    method: request.method,
    url,
    ...(Object.keys(headers).length > 0 ? { headers } : {}),
    ...(request.body !== undefined ? { body: request.body } : {}),
  };
}

function requestInfo(context: BatchContext, item: PendingItem, version: GraphVersion, batchId: string): RequestInfo {
  return {
    method: item.request.method,
    url: context.urlFor(item.request.path, version).href,
    clientRequestId: `${batchId}#${item.index}`,
    headers: { ...item.request.headers },
  };
}
