import {
  AzureCliCredential,
  ChainedTokenCredential,
  ClientCertificateCredential,
  ClientSecretCredential,
  DeviceCodeCredential,
  InteractiveBrowserCredential,
  ManagedIdentityCredential,
  WorkloadIdentityCredential,
} from "@azure/identity";
import { describe, expect, it } from "vitest";
import type { TokenCredential } from "@azure/identity";
import { DiagnosedCredential } from "../../src/graph/authority-probe.js";
import { createCredential, planCredential } from "../../src/graph/credential.js";
import { scopeFor } from "../../src/graph/create.js";
import { DEFAULT_PUBLIC_CLIENT_ID } from "../../src/graph/delegated.js";
import { UsageError } from "../../src/errors.js";

/** The @azure/identity credential under the login-host diagnosis. */
const inner = (credential: TokenCredential): TokenCredential => (credential instanceof DiagnosedCredential ? credential.inner : credential);

const app = { tenantId: "contoso.onmicrosoft.com", clientId: "00000000-0000-0000-0000-000000000001" };

describe("planCredential", () => {
  it("picks the client secret when one is given", () => {
    expect(planCredential({ ...app, clientSecret: "s3cret-value" })).toEqual({ kind: "clientSecret" });
  });

  it("picks the certificate when a PEM path is given", () => {
    expect(planCredential({ ...app, certificatePath: "/etc/app.pem" })).toEqual({ kind: "clientCertificate" });
  });

  it("rejects a secret and a certificate together", () => {
    expect(() => planCredential({ ...app, clientSecret: "s3cret-value", certificatePath: "/x.pem" })).toThrow(UsageError);
  });

  it("names what is missing", () => {
    expect(() => planCredential({ clientSecret: "s3cret-value" })).toThrow(/tenantId and clientId/);
    expect(() => planCredential({ method: "workloadIdentity", ...app })).toThrow(/federatedTokenFile/);
  });

  it("managed identity takes the user-assigned client id, falling back to clientId", () => {
    expect(planCredential({ method: "managedIdentity" })).toEqual({ kind: "managedIdentity", clientId: undefined });
    expect(planCredential({ method: "managedIdentity", managedIdentityClientId: "mi" })).toEqual({
      kind: "managedIdentity",
      clientId: "mi",
    });
    expect(planCredential({ method: "managedIdentity", clientId: "app" })).toEqual({ kind: "managedIdentity", clientId: "app" });
  });

  it("falls back to DefaultAzureCredential's order when nothing explicit is given", () => {
    expect(planCredential({})).toEqual({
      kind: "chain",
      members: ["managedIdentity", "azureCli", "azurePowerShell", "azureDeveloperCli"],
    });
    expect(planCredential({ ...app, federatedTokenFile: "/var/run/token" })).toEqual({
      kind: "chain",
      members: ["workloadIdentity", "managedIdentity", "azureCli", "azurePowerShell", "azureDeveloperCli"],
    });
  });

  it("rejects an unknown method", () => {
    expect(() => planCredential({ method: "password" as never })).toThrow(UsageError);
  });
});

describe("createCredential", () => {
  it("builds the real credential classes", () => {
    expect(inner(createCredential({ ...app, clientSecret: "s3cret-value" }))).toBeInstanceOf(ClientSecretCredential);
    expect(inner(createCredential({ ...app, certificatePath: "/etc/app.pem" }))).toBeInstanceOf(ClientCertificateCredential);
    expect(createCredential({ method: "managedIdentity", managedIdentityClientId: "mi" })).toBeInstanceOf(ManagedIdentityCredential);
    expect(inner(createCredential({ method: "workloadIdentity", ...app, federatedTokenFile: "/var/run/token" }))).toBeInstanceOf(
      WorkloadIdentityCredential,
    );
    expect(createCredential({ method: "azureCli" })).toBeInstanceOf(AzureCliCredential);
    expect(createCredential({})).toBeInstanceOf(ChainedTokenCredential);
  });

  it("rejects a non-https authority host", () => {
    expect(() => createCredential({ ...app, clientSecret: "s3cret-value", authorityHost: "http://login.example" })).toThrow(
      UsageError,
    );
  });
});

describe("delegated sign-in (--device-code, --interactive)", () => {
  it("signs in with the Microsoft Graph Command Line Tools public client unless --client-id names the organisation's own", () => {
    expect(planCredential({ method: "deviceCode" })).toEqual({ kind: "deviceCode", clientId: DEFAULT_PUBLIC_CLIENT_ID, tenantId: "organizations" });
    expect(planCredential({ method: "interactive", ...app })).toEqual({ kind: "interactive", clientId: app.clientId, tenantId: app.tenantId });
  });

  it("builds the real DeviceCodeCredential and InteractiveBrowserCredential", () => {
    expect(inner(createCredential({ method: "deviceCode", ...app }))).toBeInstanceOf(DeviceCodeCredential);
    expect(inner(createCredential({ method: "interactive" }))).toBeInstanceOf(InteractiveBrowserCredential);
  });

  it("refuses a client secret or certificate with a user's sign-in", () => {
    expect(() => planCredential({ method: "deviceCode", ...app, clientSecret: "s3cret-value" })).toThrow(/--device-code signs you in as yourself/);
    expect(() => planCredential({ method: "interactive", ...app, certificatePath: "/x.pem" })).toThrow(/--interactive signs you in as yourself/);
  });

  it("asks for the named delegated permission on the cloud's Graph, not .default", () => {
    expect(scopeFor({ method: "deviceCode" })).toBe("https://graph.microsoft.com/DeviceManagementServiceConfig.ReadWrite.All");
    expect(scopeFor({ method: "interactive", cloud: "usgov" })).toBe("https://graph.microsoft.us/DeviceManagementServiceConfig.ReadWrite.All");
    expect(scopeFor({ method: "deviceCode", graphUrl: "https://127.0.0.1:8443/" })).toBe("https://127.0.0.1:8443/DeviceManagementServiceConfig.ReadWrite.All");
    expect(scopeFor({ ...app, clientSecret: "s3cret-value" })).toBe("https://graph.microsoft.com/.default");
  });
});
