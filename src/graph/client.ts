/**
 * Microsoft Graph over HTTPS for the rest of the tool: options checked once, then requests (send-request.ts: tokens,
 * retries, throttling), listings (paging.ts) and JSON batches (batch.ts) on one shared set of counters and lessons.
 */
import type { TokenCredential } from "@azure/identity";
import { UsageError } from "../errors.js";
import { VERSION } from "../version.js";
import { anySignal, sleep as realSleep, type Sleep } from "../util/abort.js";
import type { Logger } from "../util/logger.js";
import { executeBatch, type BatchItemResult, type BatchOptions } from "./batch.js";
import { resolveEndpoints, type CloudName } from "./clouds.js";
import { DEFAULT_PAGE_BUDGET, walkPages, type PagesOptions } from "./paging.js";
import type { ProxyConfig } from "./proxy.js";
import { normalizeRetryOptions, type RetryOptions } from "./retry/policy.js";
import { sendRequest, type RequestContext } from "./send-request.js";
import { ServiceTraits, TRAIT_LESSONS } from "./service-traits.js";
import { StatsCounter, type GraphStats } from "./stats.js";
import type { GraphAccess } from "./permission-hint.js";
import { TokenProvider } from "./token-provider.js";
import { createTransport, type Transport } from "./transport.js";
import type { GraphPage, GraphRequest, GraphResponse } from "./types.js";

export { DEFAULT_PAGE_BUDGET, type PagesOptions } from "./paging.js";

/** Told about throttling and healthy answers; AdaptiveLimiter implements it. */
export interface ThrottleObserver {
  onThrottle(): void;
  onSuccess(): void;
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
  readonly logger?: Logger;
  /** Secret values scrubbed from authentication error messages. */
  readonly secrets?: ReadonlyArray<string | undefined>;
  readonly now?: () => number;
  readonly random?: () => number;
  readonly sleep?: Sleep;
  /** What is known of the service's undocumented behaviour (shared with the pipeline; restored from a journal). */
  readonly traits?: ServiceTraits;
  /** App-only (default) or a user's sign-in: what a 401/403 tells the admin to grant. */
  readonly access?: GraphAccess;
}

/** Microsoft Graph over HTTPS: auth, retries, throttling, paging, JSON batching and counters. */
export class GraphClient {
  readonly graphRoot: string;
  readonly #context: RequestContext;
  readonly #ownsTransport: boolean;
  readonly #defaultVersion: GraphVersion;
  /** Learned service behaviour (see service-traits.ts). */
  readonly traits: ServiceTraits;

  constructor(options: GraphClientOptions) {
    const endpoints = resolveEndpoints({ cloud: options.cloud, graphUrl: options.graphUrl, scope: options.scope });
    this.graphRoot = endpoints.graphRoot;
    const now = options.now ?? Date.now;
    const logger = options.logger;
    this.traits = options.traits ?? new ServiceTraits();
    // Each lesson is said once, where it is learned (the client's own, the pipeline's and the after-import steps').
    this.traits.onLearn((name, value) => {
      if (!value) logger?.warn({ trait: name }, TRAIT_LESSONS[name]);
    });
    const tokens = new TokenProvider({ credential: options.credential, scope: endpoints.scope, now, secrets: options.secrets });
    this.#ownsTransport = options.transport === undefined || options.ownsTransport === true;
    const transport =
      options.transport ??
      createTransport({ caCertificate: options.caCertificate, proxy: options.proxy, maxSockets: options.maxSockets });
    this.#defaultVersion = options.defaultVersion ?? "v1.0";
    const timeoutMs = options.timeoutMs ?? 60_000;
    if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1) {
      throw new UsageError(`timeout must be a positive number of milliseconds, got ${String(options.timeoutMs)}`);
    }
    this.#context = {
      tokens,
      transport,
      userAgent: `autopilot-import/${VERSION}`,
      timeoutMs,
      retry: normalizeRetryOptions(options.retry),
      signal: options.signal,
      stats: new StatsCounter(),
      observer: options.throttleObserver,
      logger,
      now,
      random: options.random ?? Math.random,
      sleep: options.sleep ?? realSleep,
      traits: this.traits,
      access: options.access ?? "application",
    };
  }

  /** Signs in now (a real token acquisition, kept for the requests), so a refused sign-in fails before any work. */
  async signIn(signal: AbortSignal): Promise<void> {
    await this.#context.tokens.getToken(anySignal(this.#context.signal, signal));
  }

  /** Counters so far, for the run summary. */
  get stats(): GraphStats {
    return this.#context.stats.snapshot();
  }

  /** Tokens acquired from the credential during the run. */
  get tokenAcquisitions(): number {
    return this.#context.tokens.acquisitions;
  }

  /** Sends one request, retrying per the retry policy; resolves with any 2xx, throws a typed error otherwise. */
  request<T = unknown>(request: GraphRequest): Promise<GraphResponse<T>> {
    return sendRequest<T>(this.#context, request, this.urlFor(request.path, request.version));
  }

  /**
   * Pages of a collection, following `@odata.nextLink` (only within the Graph root). A link seen before (a paging bug
   * reported on the real service returned the same page forever) or more than `maxPages` pages end it with an error.
   */
  async *pages<T>(path: string, options: PagesOptions = {}): AsyncGenerator<GraphPage<T>, void, undefined> {
    const request: GraphRequest = { method: "GET", path, version: options.version, headers: options.headers, signal: options.signal };
    yield* walkPages<T>({
      path,
      firstUrl: this.urlFor(path, options.version),
      graphRoot: this.graphRoot,
      maxPages: options.maxPages ?? DEFAULT_PAGE_BUDGET,
      fetch: async (url) => (await sendRequest<GraphPage<T>>(this.#context, request, url)).body,
    });
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
    const { retry, stats, observer, logger, now, random, sleep, traits } = this.#context;
    return executeBatch<T>(
      {
        send: (request) => sendRequest(this.#context, request, this.urlFor(request.path, request.version)),
        urlFor: (path, version) => this.urlFor(path, version),
        defaultVersion: this.#defaultVersion,
        retry,
        stats,
        observer,
        logger,
        signal: anySignal(this.#context.signal, options.signal),
        now,
        random,
        sleep,
        traits,
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
    if (this.#ownsTransport) this.#context.transport.destroy();
  }
}
