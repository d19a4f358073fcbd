/** The Graph client: what the pipeline and the CLI import. */
export { GraphClient, type GraphClientOptions, type GraphVersion, type ThrottleObserver } from "./client.js";
export { createGraphClient, type GraphConfig, type GraphRuntime } from "./create.js";
export {
  createCredential,
  planCredential,
  type ChainMember,
  type CredentialConfig,
  type CredentialMethod,
  type CredentialPlan,
} from "./credential.js";
export { CLOUDS, resolveEndpoints, type CloudName, type Endpoints, type EndpointOptions } from "./clouds.js";
export { createTransport, type Transport, type TransportOptions } from "./transport.js";
export type { ProxyConfig } from "./proxy.js";
export { AdaptiveLimiter, type AdaptiveLimiterOptions } from "./adaptive-limit.js";
export { JSON_BATCH_LIMIT, type BatchItemResult, type BatchOptions } from "./batch.js";
export type { GraphStats } from "./stats.js";
export { DEFAULT_RETRY_OPTIONS, type RetryOptions } from "./retry/policy.js";
export { decideRetry, type RetryDecision, type RetryInput } from "./retry/decide.js";
export { parseRetryAfter } from "./retry/retry-after.js";
export { sleep, type Sleep } from "../util/abort.js";
export { GraphNetworkError, GraphRequestError, OutcomeUnknownError } from "./errors/index.js";
export type { GraphErrorBody, GraphPage, GraphRequest, GraphResponse } from "./types.js";
export type * from "./resources.js";
