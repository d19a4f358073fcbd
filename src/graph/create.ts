import type { TokenCredential } from "@azure/identity";
import type { Sleep } from "../util/abort.js";
import { GraphClient, type GraphVersion, type ThrottleObserver } from "./client.js";
import { resolveEndpoints } from "./clouds.js";
import { createCredential, planCredential, type CredentialConfig } from "./credential.js";
import { delegatedScope, isDelegated } from "./delegated.js";
import type { RetryOptions } from "./retry/policy.js";
import { createTransport } from "./transport.js";
import type { Logger } from "../util/logger.js";

/** Everything needed to talk to Graph, as the CLI maps it from flags and environment. */
export interface GraphConfig extends CredentialConfig {
  /** Graph root override (emulator). */
  readonly graphUrl?: string;
  /** Token scope override; default `${graphRoot}/.default`. */
  readonly scope?: string;
  /** Sockets per host; default 32. Keep it above uploads in flight + poller. */
  readonly maxSockets?: number;
  /** Per-attempt timeout in ms; default 60 000. */
  readonly timeoutMs?: number;
  readonly retry?: Partial<RetryOptions>;
  readonly defaultVersion?: GraphVersion;
  /**
   * A credential already signed in (src/run/sign-in.ts), used as it is: a user who entered a device code is not
   * asked again by the run's own client. Without it, each client builds its own (and a fresh one after a 401).
   */
  readonly credential?: TokenCredential;
}

/** The token scope: the override, the named delegated permission for a user's sign-in, else the app's `.default`. */
export function scopeFor(config: GraphConfig): string {
  if (config.scope) return config.scope;
  const { graphRoot, scope } = resolveEndpoints({ cloud: config.cloud, graphUrl: config.graphUrl });
  return isDelegated(config.method) ? delegatedScope(graphRoot) : scope;
}

/** The run's moving parts, not configuration. */
export interface GraphRuntime {
  readonly signal?: AbortSignal;
  readonly logger?: Logger;
  readonly throttleObserver?: ThrottleObserver;
  readonly now?: () => number;
  readonly random?: () => number;
  readonly sleep?: Sleep;
}

/**
 * Builds a GraphClient and its credential from one config: one shared transport (CA, proxy, keep-alive) for Graph and
 * token requests. Configuration mistakes throw UsageError here, before any request.
 */
export function createGraphClient(config: GraphConfig, runtime: GraphRuntime = {}): GraphClient {
  const plan = planCredential(config);
  const transport = createTransport({ caCertificate: config.caCertificate, proxy: config.proxy, maxSockets: config.maxSockets });
  const delegated = plan.kind === "deviceCode" || plan.kind === "interactive";
  return new GraphClient({
    // A factory, so a forced refresh after a 401 starts from an empty token cache; a user's sign-in is one credential,
    // kept (a new one would ask the user to sign in again).
    credential: config.credential ?? (delegated ? createCredential(config, { transport }) : () => createCredential(config, { transport })),
    cloud: config.cloud,
    graphUrl: config.graphUrl,
    scope: scopeFor(config),
    access: delegated ? "delegated" : "application",
    transport,
    ownsTransport: true,
    defaultVersion: config.defaultVersion,
    timeoutMs: config.timeoutMs,
    retry: config.retry,
    secrets: [config.clientSecret, config.certificatePassword],
    ...runtime,
  });
}
