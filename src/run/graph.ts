/** The Graph side of a run: the client and the upload slots its throttling answers shrink, from one sign-in config. */
import { AdaptiveLimiter } from "../graph/adaptive-limit.js";
import type { GraphClient } from "../graph/client.js";
import type { CloudName } from "../graph/clouds.js";
import { createGraphClient, type GraphConfig } from "../graph/create.js";
import type { DeviceCodePrompt } from "../graph/delegated.js";
import type { Logger } from "../util/logger.js";

/** Sign-in and connection settings, resolved from flags and environment (secrets only ever from the environment). */
export interface AuthConfig {
  readonly tenantId: string | undefined;
  readonly clientId: string | undefined;
  /** From AZURE_CLIENT_SECRET or the file named by AZURE_CLIENT_SECRET_FILE; never from a flag. */
  readonly clientSecret: string | undefined;
  readonly certificatePath: string | undefined;
  /** AZURE_CLIENT_CERTIFICATE_PASSWORD, for an encrypted PEM. */
  readonly certificatePassword: string | undefined;
  /** AZURE_FEDERATED_TOKEN_FILE: Kubernetes workload identity. */
  readonly federatedTokenFile: string | undefined;
  /** true: system-assigned; a string: the user-assigned identity's client id. */
  readonly managedIdentity: true | string | undefined;
  /** The admin's own sign-in (--device-code, --interactive) instead of an app's. */
  readonly signIn?: "deviceCode" | "interactive" | undefined;
  readonly cloud: CloudName;
  readonly graphUrl: string | undefined;
  readonly authorityHost: string | undefined;
  /** PEM text of an extra CA to trust (e.g. the emulator's). */
  readonly caCertificate: string | undefined;
  readonly caCertPath: string | undefined;
  readonly proxyUrl: string | undefined;
  readonly noProxy: string | undefined;
}

/**
 * The Graph client's configuration from the sign-in settings; `concurrency` sizes the socket pool; `deviceCodePrompt`
 * shows a device code's URL and code (the CLI writes them to stderr).
 */
export function graphConfigFor(auth: AuthConfig, concurrency: number, deviceCodePrompt?: (prompt: DeviceCodePrompt) => void): GraphConfig {
  return {
    method: auth.signIn ?? (auth.managedIdentity ? "managedIdentity" : "auto"),
    ...(deviceCodePrompt ? { deviceCodePrompt } : {}),
    tenantId: auth.tenantId,
    clientId: auth.clientId,
    clientSecret: auth.clientSecret,
    certificatePath: auth.certificatePath,
    certificatePassword: auth.certificatePassword,
    federatedTokenFile: auth.federatedTokenFile,
    managedIdentityClientId: typeof auth.managedIdentity === "string" ? auth.managedIdentity : undefined,
    cloud: auth.cloud,
    graphUrl: auth.graphUrl,
    authorityHost: auth.authorityHost,
    caCertificate: auth.caCertificate,
    proxy: auth.proxyUrl ? { url: auth.proxyUrl, noProxy: auth.noProxy } : undefined,
    // Uploads in flight, the poller and a token request, with room to spare.
    maxSockets: concurrency + 4,
  };
}

export interface RunGraph {
  readonly client: GraphClient;
  /** Upload slots: the client's throttle observer, so 429s shrink them. */
  readonly limiter: AdaptiveLimiter;
  close(): void;
}

/** The client and its limiter for a run of `concurrency` uploads in flight. */
export function openGraph(config: GraphConfig, concurrency: number, runtime: { readonly signal: AbortSignal; readonly logger: Logger }): RunGraph {
  const limiter = new AdaptiveLimiter({ max: concurrency });
  const client = createGraphClient(config, { ...runtime, throttleObserver: limiter });
  return { client, limiter, close: () => client.close() };
}
