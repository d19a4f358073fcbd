/**
 * MSAL reports any failure to read the tenant's OpenID configuration as "endpoints_resolution_error", whether the
 * login host was unreachable or answered "Tenant not found" (AADSTS90002). One read of that document tells which.
 */
import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/identity";
import https from "node:https";
import type { TokenEndpointRetry } from "./token-endpoint-retry.js";
import type { Transport } from "./transport.js";

const PROBE_TIMEOUT_MS = 10_000;

/** The service's own first line (AADSTS…) when the login host answers the discovery document with an error. */
export function probeAuthority(authorityHost: string, tenant: string, transport: Transport, signal?: AbortSignal): Promise<string | undefined> {
  const url = new URL(`${authorityHost.replace(/\/+$/, "")}/${encodeURIComponent(tenant)}/v2.0/.well-known/openid-configuration`);
  return new Promise((resolve) => {
    const request = https.get(url, { agent: transport.agentFor(url), timeout: PROBE_TIMEOUT_MS, signal }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("error", () => resolve(undefined));
      response.on("end", () => resolve((response.statusCode ?? 0) >= 400 ? entraReason(Buffer.concat(chunks).toString("utf8")) : undefined));
    });
    request.on("timeout", () => request.destroy());
    request.on("error", () => resolve(undefined));
  });
}

function entraReason(text: string): string | undefined {
  try {
    const body = JSON.parse(text) as { error_description?: unknown };
    return typeof body.error_description === "string" ? body.error_description.split(/\r?\n/)[0] : undefined;
  } catch {
    return undefined;
  }
}

/** A credential whose "endpoints could not be resolved" failures carry the login host's actual answer, when it gave one. */
export class DiagnosedCredential implements TokenCredential {
  constructor(
    /** The @azure/identity credential that does the work. */
    readonly inner: TokenCredential,
    private readonly authority: {
      readonly host: string;
      readonly tenant: string;
      readonly transport: Transport;
      /** Knows why the login host could not be reached after the retries (MSAL says only "network_error"). */
      readonly endpointRetry?: TokenEndpointRetry;
    },
  ) {}

  async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
    this.authority.endpointRetry?.takeFailure();
    try {
      return await this.inner.getToken(scopes, options);
    } catch (error) {
      const failure = this.authority.endpointRetry?.takeFailure();
      if (failure !== undefined) throw new Error(failure, { cause: error });
      const text = error instanceof Error ? error.message : String(error);
      if (!/endpoints_resolution_error/.test(text)) throw error;
      const { host, tenant, transport } = this.authority;
      const reason = await probeAuthority(host, tenant, transport, options?.abortSignal as AbortSignal | undefined);
      if (reason === undefined) throw error;
      throw new Error(reason, { cause: error });
    }
  }
}
