/** Counters for the run summary; `attempts` is what went over the wire (the import JSON's `requests`). */
export interface GraphStats {
  /** Logical calls: request(), each page, each $batch round (before retries). */
  readonly requests: number;
  /** HTTP requests actually sent, retries and $batch calls included. */
  readonly attempts: number;
  /** Sub-requests carried inside $batch calls, retries included. */
  readonly batchedRequests: number;
  /** Responses (or batch sub-responses) that were 429, or 503 with Retry-After. */
  readonly throttled: number;
  /** Retries of whole requests and of batch items. */
  readonly retries: number;
  /** Forced token refreshes after a 401. */
  readonly tokenRefreshes: number;
  /** Attempts that ended without a response (reset, refused, timeout). */
  readonly networkErrors: number;
  /** HTTP status of each attempt, e.g. {"200": 40, "429": 2}. */
  readonly byStatus: Readonly<Record<string, number>>;
  /** HTTP status of each batch sub-response. */
  readonly batchByStatus: Readonly<Record<string, number>>;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export class StatsCounter {
  readonly #stats: Mutable<Omit<GraphStats, "byStatus" | "batchByStatus">> = {
    requests: 0,
    attempts: 0,
    batchedRequests: 0,
    throttled: 0,
    retries: 0,
    tokenRefreshes: 0,
    networkErrors: 0,
  };
  readonly #byStatus = new Map<number, number>();
  readonly #batchByStatus = new Map<number, number>();

  add(counter: keyof Mutable<Omit<GraphStats, "byStatus" | "batchByStatus">>, n = 1): void {
    this.#stats[counter] += n;
  }

  status(status: number, batchItem = false): void {
    const map = batchItem ? this.#batchByStatus : this.#byStatus;
    map.set(status, (map.get(status) ?? 0) + 1);
  }

  snapshot(): GraphStats {
    const record = (map: Map<number, number>): Record<string, number> =>
      Object.fromEntries([...map].sort(([a], [b]) => a - b).map(([k, v]) => [String(k), v]));
    return { ...this.#stats, byStatus: record(this.#byStatus), batchByStatus: record(this.#batchByStatus) };
  }
}
