import { randomUUID } from "node:crypto";
import type { TokenCredential } from "@azure/identity";
import { ServiceError, UsageError } from "../errors.js";
import { VERSION } from "../version.js";
import { anySignal, sleep as realSleep, throwIfAborted, type Sleep } from "./abort.js";
import { executeBatch, type BatchItemResult, type BatchOptions } from "./batch.js";
import { resolveEndpoints, type CloudName } from "./clouds.js";
import type { RequestInfo } from "./errors/attach.js";
import { failureError } from "./failure.js";
import { hasSelect, withoutSelect } from "./query-options.js";
import { ServiceTraits, TRAIT_LESSONS } from "./service-traits.js";
import { sendAttempt } from "./http-attempt.js";
import type { ProxyConfig } from "./proxy.js";
import { decideRetry } from "./retry/decide.js";
import { mergeRetryOptions, normalizeRetryOptions, type RetryOptions } from "./retry/policy.js";
import { StatsCounter, type GraphStats } from "./stats.js";
import { TokenProvider } from "./token-provider.js";
import { createTransport, type Transport } from "./transport.js";
import type { GraphPage, GraphRequest, GraphResponse } from "./types.js";

/** Told about throttling and healthy answers; AdaptiveLimiter implements it. */
export interface ThrottleObserver {
  onThrottle(): void;
  onSuccess(): void;
}

/** The slice of a pino logger the client uses. */
export interface GraphLogger {
  debug(object: Record<string, unknown>, message: string): void;
  warn(object: Record<string, unknown>, message: string): void;
}

export type GraphVersion = "v1.0" | "beta";

export interface GraphClientOptions {
  /** A credential, or a factory (preferred: a forced refresh after a 401 then bypasses the credential's cache). */
  readonly credential: TokenCredential | (() => TokenCredential);
  readonly cloud?: CloudName;
  /** Graph root override (emulator), e.g. "https://127.0.0.1:8443". */
  readonly graphUrl?: string;
  /** Token scope override; default `${graphRoot}/.default`. */
  readonly scope?: string;
  /** Shared with the credential; built from caCertificate/proxy/maxSockets when absent (and then owned). */
  readonly transport?: Transport;
  /** Whether close() destroys a transport passed in (true when the client is its only user). */
  readonly ownsTransport?: boolean;
  readonly caCertificate?: string;
  readonly proxy?: ProxyConfig;
  readonly maxSockets?: number;
  /** API version when a request does not say; default "v1.0". */
  readonly defaultVersion?: GraphVersion;
  /** Per-attempt timeout, default 60 s. */
  readonly timeoutMs?: number;
  readonly retry?: Partial<RetryOptions>;
  /** The run: aborting it stops requests, backoff waits and token acquisition. */
  readonly signal?: AbortSignal;
  readonly throttleObserver?: ThrottleObserver;
  readonly logger?: GraphLogger;
  /** Secret values scrubbed from authentication error messages. */
  readonly secrets?: ReadonlyArray<string | undefined>;
  readonly now?: () => number;
  readonly random?: () => number;
  readonly sleep?: Sleep;
  /** What is known of the service's undocumented behaviour (shared with the pipeline; restored from a journal). */
  readonly traits?: ServiceTraits;
}

export interface PagesOptions {
  readonly version?: GraphVersion;
  readonly headers?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
  /** Most pages one listing may read before it stops with an error (default DEFAULT_PAGE_BUDGET). */
  readonly maxPages?: number;
}

/** Pages one listing may read: a million records at 1,000 a page is 1,000 pages; a runaway listing stops long before it harms. */
export const DEFAULT_PAGE_BUDGET = 20_000;

const SUCCESS = (status: number): boolean => status >= 200 && status < 300;

/** Microsoft Graph over HTTPS: auth, retries, throttling, paging, JSON batching and counters. */
export class GraphClient {
  readonly graphRoot: string;
  readonly #tokens: TokenProvider;
  readonly #transport: Transport;
  readonly #ownsTransport: boolean;
  readonly #defaultVersion: GraphVersion;
  readonly #timeoutMs: number;
  readonly #retry: RetryOptions;
  readonly #signal: AbortSignal | undefined;
  readonly #observer: ThrottleObserver | undefined;
  readonly #logger: GraphLogger | undefined;
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #sleep: Sleep;
  readonly #stats = new StatsCounter();
  readonly #userAgent = `autopilot-import/${VERSION}`;
  /** Learned service behaviour (see service-traits.ts). */
  readonly traits: ServiceTraits;

  constructor(options: GraphClientOptions) {
    const endpoints = resolveEndpoints({ cloud: options.cloud, graphUrl: options.graphUrl, scope: options.scope });
    this.graphRoot = endpoints.graphRoot;
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? Math.random;
    this.#sleep = options.sleep ?? realSleep;
    this.traits = options.traits ?? new ServiceTraits();
    // Each lesson is said once, where it is learned (the client's own, the pipeline's and the after-import steps').
    this.traits.onLearn((name, value) => {
      if (!value) this.#logger?.warn({ trait: name }, TRAIT_LESSONS[name]);
    });
    this.#tokens = new TokenProvider({
      credential: options.credential,
      scope: endpoints.scope,
      now: this.#now,
      secrets: options.secrets,
    });
    this.#ownsTransport = options.transport === undefined || options.ownsTransport === true;
    this.#transport =
      options.transport ??
      createTransport({ caCertificate: options.caCertificate, proxy: options.proxy, maxSockets: options.maxSockets });
    this.#defaultVersion = options.defaultVersion ?? "v1.0";
    this.#timeoutMs = options.timeoutMs ?? 60_000;
    if (!Number.isSafeInteger(this.#timeoutMs) || this.#timeoutMs < 1) {
      throw new UsageError(`timeout must be a positive number of milliseconds, got ${String(options.timeoutMs)}`);
    }
    this.#retry = normalizeRetryOptions(options.retry);
    this.#signal = options.signal;
    this.#observer = options.throttleObserver;
    this.#logger = options.logger;
  }

  /** Counters so far, for the run summary. */
  get stats(): GraphStats {
    return this.#stats.snapshot();
  }

  /** Tokens acquired from the credential during the run. */
  get tokenAcquisitions(): number {
    return this.#tokens.acquisitions;
  }

  /** Sends one request, retrying per the retry policy; resolves with any 2xx, throws a typed error otherwise. */
  request<T = unknown>(request: GraphRequest): Promise<GraphResponse<T>> {
    return this.#execute<T>(request, this.urlFor(request.path, request.version));
  }

  /**
   * Pages of a collection, following `@odata.nextLink` (only within the Graph root). A link seen before (a paging bug
   * reported on the real service returned the same page forever) or more than `maxPages` pages end it with an error.
   */
  async *pages<T>(path: string, options: PagesOptions = {}): AsyncGenerator<GraphPage<T>, void, undefined> {
    const maxPages = options.maxPages ?? DEFAULT_PAGE_BUDGET;
    let url = this.urlFor(path, options.version);
    const seen = new Set<string>();
    for (let page = 1; ; page++) {
      const request: GraphRequest = { method: "GET", path, version: options.version, headers: options.headers, signal: options.signal };
      const { body } = await this.#execute<GraphPage<T>>(request, url);
      yield { ...body, value: Array.isArray(body?.value) ? body.value : [] };
      const next = body?.["@odata.nextLink"];
      if (!next) return;
      if (seen.has(next)) {
        throw new ServiceError(`the service sent the same @odata.nextLink twice while listing ${path.split("?")[0]}: stopping instead of reading the same page forever (page ${page})`, undefined, "PagingLoop");
      }
      if (page >= maxPages) {
        throw new ServiceError(`listing ${path.split("?")[0]} passed its budget of ${maxPages} pages: stopping`, undefined, "PageBudgetExceeded");
      }
      seen.add(next);
      url = this.#sameRoot(next);
    }
  }

  /** Every item of a collection, page after page. */
  async *items<T>(path: string, options: PagesOptions = {}): AsyncGenerator<T, void, undefined> {
    for await (const page of this.pages<T>(path, options)) yield* page.value;
  }

  /**
   * JSON batching: sends the requests in `$batch` calls of at most 20, retries items answered 429/503 (honouring
   * their Retry-After), and returns one result per request, in order. Requests are grouped by API version.
   */
  batch<T = unknown>(requests: readonly GraphRequest[], options: BatchOptions = {}): Promise<Array<BatchItemResult<T>>> {
    return executeBatch<T>(
      {
        send: (request) => this.#execute(request, this.urlFor(request.path, request.version)),
        urlFor: (path, version) => this.urlFor(path, version),
        defaultVersion: this.#defaultVersion,
        retry: this.#retry,
        stats: this.#stats,
        observer: this.#observer,
        logger: this.#logger,
        signal: anySignal(this.#signal, options.signal),
        now: this.#now,
        random: this.#random,
        sleep: this.#sleep,
        traits: this.traits,
      },
      requests,
      options,
    );
  }

  /** Absolute URL of an API path ("/deviceManagement/..." with optional query). */
  urlFor(path: string, version: GraphVersion = this.#defaultVersion): URL {
    if (!path.startsWith("/")) throw new UsageError(`Graph path must start with '/': ${path}`);
    return new URL(`${this.graphRoot}/${version}${path}`);
  }

  /** Closes pooled connections if the client owns its transport. */
  close(): void {
    if (this.#ownsTransport) this.#transport.destroy();
  }

  /** A request refused with $select succeeded without it: none is sent again this run. */
  #selectBroken(): void {
    this.traits.learn("selectWorks", false);
  }

  // Only follow links under our Graph root: a nextLink elsewhere would receive our bearer token.
  #sameRoot(link: string): URL {
    const url = new URL(link, `${this.graphRoot}/`);
    const root = new URL(`${this.graphRoot}/`);
    if (url.origin !== root.origin || !url.pathname.startsWith(root.pathname)) {
      throw new ServiceError(`refusing to follow @odata.nextLink outside ${this.graphRoot}: ${url.origin}`);
    }
    return url;
  }

  async #execute<T>(request: GraphRequest, requestUrl: URL): Promise<GraphResponse<T>> {
    this.#stats.add("requests");
    const signal = anySignal(this.#signal, request.signal);
    throwIfAborted(signal);
    const idempotent = request.idempotent ?? request.method !== "POST";
    const retry = mergeRetryOptions(this.#retry, request.retry);
    const callerHeaders = lowerCaseKeys(request.headers ?? {});
    const clientRequestId = callerHeaders["client-request-id"] ?? randomUUID();
    const body = request.body === undefined ? undefined : Buffer.from(JSON.stringify(request.body));
    const headers: Record<string, string> = {
      accept: "application/json",
      ...(body ? { "content-type": "application/json" } : {}),
      ...callerHeaders,
      "user-agent": this.#userAgent,
      "client-request-id": clientRequestId,
      "return-client-request-id": "true",
    };
    // Once the service has shown it cannot take $select, no request carries it (it only trims the answer).
    let url = request.method === "GET" && !this.traits.works("selectWorks") ? withoutSelect(requestUrl) : requestUrl;
    /** Whether this request is trying again without the $select the service answered 400/5xx to. */
    let selectTrial = false;
    const info: RequestInfo = { method: request.method, url: url.href, clientRequestId, headers };
    const agent = this.#transport.agentFor(url);
    let throttled = 0;
    let tokenRefreshed = false;

    for (let attempt = 1; ; attempt++) {
      // Asked per attempt: cached, but renewed before expiry, so long runs and long waits never use a dead token.
      const token = await this.#tokens.getToken(this.#signal ?? signal);
      this.#stats.add("attempts");
      const result = await sendAttempt({
        url,
        method: request.method,
        headers: { ...headers, authorization: `Bearer ${token}` },
        body,
        agent,
        signal,
        timeoutMs: this.#timeoutMs,
      });
      if (result.kind === "response") {
        this.#stats.status(result.status);
        if (SUCCESS(result.status) || request.acceptStatuses?.includes(result.status)) {
          if (selectTrial) this.#selectBroken();
          this.#observer?.onSuccess();
          return {
            status: result.status,
            body: result.body as T,
            headers: result.headers,
            requestId: result.headers["request-id"],
          };
        }
        if (request.method === "GET" && !selectTrial && hasSelect(url) && (result.status === 400 || result.status >= 500)) {
          // $select has answered 500 on the real service: try once without it before treating this as a failure.
          selectTrial = true;
          url = withoutSelect(url);
          this.#logger?.warn({ method: request.method, path: url.pathname, clientRequestId, status: result.status }, "Graph refused a request with $select; trying it without");
          continue;
        }
      } else {
        this.#stats.add("networkErrors");
      }

      const decision = decideRetry(
        {
          attempt,
          throttled,
          status: result.kind === "response" ? result.status : undefined,
          error: result.kind === "failure" ? result.failure : undefined,
          headers: result.kind === "response" ? result.headers : undefined,
          now: this.#now(),
          idempotent,
          tokenRefreshed,
        },
        retry,
        this.#random,
      );
      const logFields = {
        method: request.method,
        path: url.pathname,
        clientRequestId,
        attempt,
        status: result.kind === "response" ? result.status : undefined,
        networkError: result.kind === "failure" ? (result.failure.code ?? result.failure.kind) : undefined,
      };
      if (decision.kind === "retry" && decision.cause === "throttled") {
        throttled += 1;
        this.#stats.add("throttled");
        this.#observer?.onThrottle();
      }
      switch (decision.kind) {
        case "retry":
          this.#stats.add("retries");
          // Throttling is expected under load (the run summary counts it); other failures deserve a warning.
          if (decision.cause === "throttled") this.#logger?.debug({ ...logFields, delayMs: decision.delayMs }, "throttled: waiting");
          else this.#logger?.warn({ ...logFields, delayMs: decision.delayMs }, "retrying Graph request");
          await this.#sleep(decision.delayMs, signal);
          continue;
        case "refreshToken":
          tokenRefreshed = true;
          this.#stats.add("tokenRefreshes");
          this.#logger?.warn(logFields, "Graph answered 401: refreshing the access token");
          await this.#tokens.refresh(token, this.#signal ?? signal);
          continue;
        case "fail": {
          if (result.kind === "response" && result.status === 429) {
            this.#stats.add("throttled");
            this.#observer?.onThrottle();
          }
          const error = failureError(decision.reason, info, result, attempt, this.#timeoutMs);
          this.#logger?.debug({ ...logFields, reason: decision.reason }, "Graph request failed");
          throw error;
        }
      }
    }
  }
}

function lowerCaseKeys(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}
