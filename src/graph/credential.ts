import {
  AzureCliCredential,
  AzureDeveloperCliCredential,
  AzurePowerShellCredential,
  ChainedTokenCredential,
  ClientCertificateCredential,
  ClientSecretCredential,
  DeviceCodeCredential,
  InteractiveBrowserCredential,
  ManagedIdentityCredential,
  WorkloadIdentityCredential,
  type TokenCredential,
} from "@azure/identity";
import { UsageError } from "../errors.js";
import { resolveEndpoints, type CloudName } from "./clouds.js";
import { DiagnosedCredential } from "./authority-probe.js";
import { DEFAULT_PUBLIC_CLIENT_ID, type DeviceCodePrompt } from "./delegated.js";
import { identityAgentPolicy } from "./identity-policy.js";
import { TokenEndpointRetry } from "./token-endpoint-retry.js";
import type { ProxyConfig } from "./proxy.js";
import { createTransport, type Transport } from "./transport.js";

export type CredentialMethod =
  | "auto"
  | "clientSecret"
  | "clientCertificate"
  | "managedIdentity"
  | "workloadIdentity"
  | "azureCli"
  /** The admin signs in as themselves: a code to enter at a URL (works over SSH and in a container). */
  | "deviceCode"
  /** The admin signs in as themselves in the system browser. */
  | "interactive";

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
  /** Device code: shows the URL and the code (the CLI writes them to stderr). */
  readonly deviceCodePrompt?: (prompt: DeviceCodePrompt) => void;
}

export type ChainMember = "workloadIdentity" | "managedIdentity" | "azureCli" | "azurePowerShell" | "azureDeveloperCli";

export type CredentialPlan =
  | { readonly kind: "clientSecret" | "clientCertificate" | "workloadIdentity" | "azureCli" }
  | { readonly kind: "managedIdentity"; readonly clientId: string | undefined }
  /** Delegated: the public client signed in with (the default one unless --client-id), tenant "organizations" if none. */
  | { readonly kind: "deviceCode" | "interactive"; readonly clientId: string; readonly tenantId: string }
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
    case "deviceCode":
    case "interactive":
      // A secret or certificate names a confidential client: mixing it with a user's sign-in is a mistake to report.
      if (config.clientSecret || config.certificatePath) {
        throw new UsageError(`--${method === "deviceCode" ? "device-code" : "interactive"} signs you in as yourself: it takes no client secret or certificate (unset AZURE_CLIENT_SECRET, drop --certificate)`);
      }
      return { kind: method, clientId: config.clientId ?? DEFAULT_PUBLIC_CLIENT_ID, tenantId: config.tenantId ?? "organizations" };
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
  // Token requests retry like Graph calls (the SDK's own short retry is off) and say why they gave up.
  const endpointRetry = new TokenEndpointRetry();
  const common = {
    authorityHost: endpoints.authorityHost,
    disableInstanceDiscovery: endpoints.customAuthority,
    retryOptions: { maxRetries: 0 },
    additionalPolicies: [endpointRetry.policy(), identityAgentPolicy(transport)],
  };
  const tenantId = config.tenantId ?? "";
  const clientId = config.clientId ?? "";

  const build = (kind: Exclude<CredentialPlan["kind"], "chain" | "deviceCode" | "interactive"> | ChainMember, inChain: boolean): TokenCredential => {
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

  const diagnosed = (credential: TokenCredential, tenant: string): TokenCredential =>
    new DiagnosedCredential(credential, { host: endpoints.authorityHost, tenant, transport, endpointRetry });
  if (plan.kind === "deviceCode") {
    const prompt = config.deviceCodePrompt;
    const credential = new DeviceCodeCredential({
      ...common,
      tenantId: plan.tenantId,
      clientId: plan.clientId,
      userPromptCallback: (info) => prompt?.({ userCode: info.userCode, verificationUri: info.verificationUri, message: info.message }),
    });
    return diagnosed(credential, plan.tenantId);
  }
  if (plan.kind === "interactive") {
    return diagnosed(new InteractiveBrowserCredential({ ...common, tenantId: plan.tenantId, clientId: plan.clientId }), plan.tenantId);
  }
  if (plan.kind === "chain") return new ChainedTokenCredential(...plan.members.map((member) => build(member, true)));
  const credential = build(plan.kind, false);
  return plan.kind === "clientSecret" || plan.kind === "clientCertificate" || plan.kind === "workloadIdentity" ? diagnosed(credential, tenantId) : credential;
}
