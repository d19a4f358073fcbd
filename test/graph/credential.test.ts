import {
  AzureCliCredential,
  ChainedTokenCredential,
  ClientCertificateCredential,
  ClientSecretCredential,
  ManagedIdentityCredential,
  WorkloadIdentityCredential,
} from "@azure/identity";
import { describe, expect, it } from "vitest";
import { createCredential, planCredential } from "../../src/graph/credential.js";
import { UsageError } from "../../src/errors.js";

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
    expect(createCredential({ ...app, clientSecret: "s3cret-value" })).toBeInstanceOf(ClientSecretCredential);
    expect(createCredential({ ...app, certificatePath: "/etc/app.pem" })).toBeInstanceOf(ClientCertificateCredential);
    expect(createCredential({ method: "managedIdentity", managedIdentityClientId: "mi" })).toBeInstanceOf(ManagedIdentityCredential);
    expect(createCredential({ method: "workloadIdentity", ...app, federatedTokenFile: "/var/run/token" })).toBeInstanceOf(
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
