/** The Graph client's public contract, used by the pipeline and the after-import steps. */
import type { RetryOptions } from "./retry/policy.js";

export interface GraphRequest {
  readonly method: "GET" | "POST" | "PATCH" | "DELETE";
  /** Relative to the API root, e.g. "/deviceManagement/importedWindowsAutopilotDeviceIdentities/import". */
  readonly path: string;
  /** "v1.0" (default) or "beta". */
  readonly version?: "v1.0" | "beta";
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Whether resending after an unknown outcome is safe. Defaults to true for GET/DELETE/PATCH, false for POST.
   * A non-idempotent request whose outcome is unknown is NOT retried: the client throws OutcomeUnknownError.
   */
  readonly idempotent?: boolean;
  /**
   * Overrides the client's retry limits for this request only (also per item inside `batch`). For example
   * `{ maxThrottleRetries: 0 }` hands a 429 straight back to a caller for whom it is a rule to reason about (the
   * Autopilot sync's 10-minute rule) rather than throttling to wait out.
   */
  readonly retry?: Partial<RetryOptions>;
  readonly signal?: AbortSignal;
  /** Non-2xx statuses handed back as answers instead of being retried or thrown (a $batch reads its items from them). */
  readonly acceptStatuses?: readonly number[];
}

export interface GraphResponse<T = unknown> {
  readonly status: number;
  readonly body: T;
  readonly headers: Readonly<Record<string, string>>;
  readonly requestId: string | undefined;
}

/** The shape of a Graph error body. */
export interface GraphErrorBody {
  readonly error: {
    readonly code: string;
    readonly message: string;
    readonly innerError?: { readonly "request-id"?: string; readonly date?: string };
  };
}

/** One page of a Graph collection. */
export interface GraphPage<T> {
  readonly value: T[];
  readonly "@odata.nextLink"?: string;
}
