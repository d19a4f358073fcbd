import {
  AzureCliCredential,
  AzureDeveloperCliCredential,
  AzurePowerShellCredential,
  ChainedTokenCredential,
  ClientCertificateCredential,
  ClientSecretCredential,
  ManagedIdentityCredential,
  WorkloadIdentityCredential,
  type TokenCredential,
} from "@azure/identity";
import { UsageError } from "../errors.js";
import { resolveEndpoints, type CloudName } from "./clouds.js";
import { identityAgentPolicy } from "./identity-policy.js";
import type { ProxyConfig } from "./proxy.js";
import { createTransport, type Transport } from "./transport.js";

export type CredentialMethod =
  | "auto"
  | "clientSecret"
  | "clientCertificate"
  | "managedIdentity"
  | "workloadIdentity"
  | "azureCli";

/**
 * How to authenticate. The CLI fills it from flags and the standard environment (AZURE_TENANT_ID, AZURE_CLIENT_ID,
 * AZURE_CLIENT_SECRET, AZURE_CLIENT_CERTIFICATE_PATH, AZURE_CLIENT_CERTIFICATE_PASSWORD, AZURE_FEDERATED_TOKEN_FILE,
 * AZURE_AUTHORITY_HOST); nothing here reads the environment.
 */
export interface CredentialConfig {
  /** Default "auto": secret, else certificate, else the chain (workload identity, managed identity, developer CLIs). */
  readonly method?: CredentialMethod;
  readonly tenantId?: string;
  readonly clientId?: string;
  readonly clientSecret?: string;
  /** PEM file holding the certificate and its private key. */
  readonly certificatePath?: string;
  readonly certificatePassword?: string;
  /** Send the x5c chain (subject name / issuer authentication). */
  readonly sendCertificateChain?: boolean;
  /** User-assigned managed identity; defaults to clientId, as DefaultAzureCredential does. */
  readonly managedIdentityClientId?: string;
  /** Kubernetes workload identity: the projected service account token file. */
  readonly federatedTokenFile?: string;
  readonly cloud?: CloudName;
  readonly authorityHost?: string;
  readonly caCertificate?: string;
  readonly proxy?: ProxyConfig;
}

export type ChainMember = "workloadIdentity" | "managedIdentity" | "azureCli" | "azurePowerShell" | "azureDeveloperCli";

export type CredentialPlan =
  | { readonly kind: "clientSecret" | "clientCertificate" | "workloadIdentity" | "azureCli" }
  | { readonly kind: "managedIdentity"; readonly clientId: string | undefined }
  | { readonly kind: "chain"; readonly members: readonly ChainMember[] };

function need(config: CredentialConfig, method: string, fields: ReadonlyArray<keyof CredentialConfig>): void {
  const missing = fields.filter((field) => !config[field]);
  if (missing.length > 0) throw new UsageError(`${method} authentication needs ${missing.join(" and ")}`);
}

/** Which credential a config asks for; throws UsageError for contradictions and missing pieces. Pure. */
export function planCredential(config: CredentialConfig): CredentialPlan {
  const method = config.method ?? "auto";
  if (config.clientSecret && config.certificatePath) {
    throw new UsageError("give either a client secret or a certificate, not both");
  }
  switch (method) {
    case "clientSecret":
      need(config, "client secret", ["tenantId", "clientId", "clientSecret"]);
      return { kind: "clientSecret" };
    case "clientCertificate":
      need(config, "certificate", ["tenantId", "clientId", "certificatePath"]);
      return { kind: "clientCertificate" };
    case "managedIdentity":
      return { kind: "managedIdentity", clientId: config.managedIdentityClientId ?? config.clientId };
    case "workloadIdentity":
      need(config, "workload identity", ["tenantId", "clientId", "federatedTokenFile"]);
      return { kind: "workloadIdentity" };
    case "azureCli":
      return { kind: "azureCli" };
    case "auto":
      if (config.clientSecret) return planCredential({ ...config, method: "clientSecret" });
      if (config.certificatePath) return planCredential({ ...config, method: "clientCertificate" });
      // DefaultAzureCredential's order after its environment step, built from explicit values.
      return {
        kind: "chain",
        members: [
          ...(config.federatedTokenFile && config.tenantId && config.clientId ? (["workloadIdentity"] as const) : []),
          "managedIdentity",
          "azureCli",
          "azurePowerShell",
          "azureDeveloperCli",
        ],
      };
    default:
      throw new UsageError(`unknown authentication method '${String(method)}'`);
  }
}

/**
 * Builds the @azure/identity credential for a config: real credential classes, the cloud's login host, instance
 * discovery off for a custom authority, and our agent (custom CA, proxy) on every token request.
 */
export function createCredential(config: CredentialConfig, options: { transport?: Transport } = {}): TokenCredential {
  const plan = planCredential(config);
  const endpoints = resolveEndpoints({ cloud: config.cloud, authorityHost: config.authorityHost });
  const transport =
    options.transport ?? createTransport({ caCertificate: config.caCertificate, proxy: config.proxy, maxSockets: 4 });
  const common = {
    authorityHost: endpoints.authorityHost,
    disableInstanceDiscovery: endpoints.customAuthority,
    additionalPolicies: [identityAgentPolicy(transport)],
  };
  const tenantId = config.tenantId ?? "";
  const clientId = config.clientId ?? "";

  const build = (kind: Exclude<CredentialPlan["kind"], "chain"> | ChainMember, inChain: boolean): TokenCredential => {
    switch (kind) {
      case "clientSecret":
        return new ClientSecretCredential(tenantId, clientId, config.clientSecret ?? "", common);
      case "clientCertificate":
        return new ClientCertificateCredential(
          tenantId,
          clientId,
          { certificatePath: config.certificatePath ?? "", certificatePassword: config.certificatePassword },
          { ...common, sendCertificateChain: config.sendCertificateChain },
        );
      case "workloadIdentity":
        return new WorkloadIdentityCredential({
          ...common,
          tenantId,
          clientId,
          tokenFilePath: config.federatedTokenFile ?? "",
        });
      case "managedIdentity": {
        // In a chain, probe IMDS first (what DefaultAzureCredential does) so a laptop falls through in a second
        // instead of retrying an unreachable endpoint; the option is internal to @azure/identity 4.13 (pinned).
        const miOptions = {
          clientId: config.managedIdentityClientId ?? config.clientId,
          ...(inChain ? { sendProbeRequest: true } : {}),
        };
        return new ManagedIdentityCredential(miOptions);
      }
      case "azureCli":
        return new AzureCliCredential(config.tenantId ? { tenantId: config.tenantId } : {});
      case "azurePowerShell":
        return new AzurePowerShellCredential(config.tenantId ? { tenantId: config.tenantId } : {});
      case "azureDeveloperCli":
        return new AzureDeveloperCliCredential(config.tenantId ? { tenantId: config.tenantId } : {});
    }
  };

  if (plan.kind === "chain") return new ChainedTokenCredential(...plan.members.map((member) => build(member, true)));
  return build(plan.kind, false);
}
