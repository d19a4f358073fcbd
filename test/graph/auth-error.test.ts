import { describe, expect, it } from "vitest";
import { AuthenticationError } from "../../src/errors.js";
import { NO_CREDENTIAL, toAuthenticationError } from "../../src/graph/auth-error.js";

describe("toAuthenticationError", () => {
  it("makes one line with the service's reason and none of the secrets", () => {
    const cause = Object.assign(
      new Error(
        "ClientSecretCredential authentication failed: AADSTS7000215: Invalid client secret provided. Sent Sup3rSecretValue\n" +
          "Trace ID: 1234\nCorrelation ID: 5678\nTimestamp: 2026-01-01 00:00:00Z\n" +
          "assertion eyJhbGciOiJSUzI1NiJ9.eyJhIjoxfQ.c2ln",
      ),
      { name: "AuthenticationError" },
    );
    const error = toAuthenticationError(cause, ["Sup3rSecretValue"]);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.message).not.toContain("\n");
    expect(error.message).toContain("AADSTS7000215");
    expect(error.message).not.toContain("Sup3rSecretValue");
    expect(error.message).not.toContain("eyJhbGciOiJSUzI1NiJ9");
    expect(error.message).not.toContain("Trace ID");
    expect(error.cause).toBe(cause);
    expect(Object.keys(error)).not.toContain("cause");
  });

  it("names the failing credential type and bounds the length", () => {
    const cause = Object.assign(new Error("x".repeat(2000)), { name: "CredentialUnavailableError" });
    const error = toAuthenticationError(cause, []);
    expect(error.message).toMatch(/^authentication failed \(CredentialUnavailableError\): x+\.\.\.$/);
    expect(error.message.length).toBeLessThan(460);
  });

  it("strips PEM key blocks", () => {
    const error = toAuthenticationError(new Error("bad key -----BEGIN PRIVATE KEY-----\nMIIEv\n-----END PRIVATE KEY----- end"), []);
    expect(error.message).not.toContain("MIIEv");
    expect(error.message).toContain("end");
  });

  it.each([
    ["AADSTS90002: Tenant 'nope.example' not found.", /the tenant was not found: check --tenant/],
    ["AADSTS7000215: Invalid client secret provided.", /the client secret is not valid: AZURE_CLIENT_SECRET must be the secret's Value/],
    ["AADSTS700016: Application with identifier 'x' was not found", /unknown client id: check --client-id/],
    ["AADSTS7000216: 'client_assertion', 'client_secret' or 'request' is required", /no client secret reached the service/],
    ["post_request_failed: authorization_declined", /the sign-in was declined/],
    ["post_request_failed: expired_token", /the code expired before the sign-in was completed/],
    ["endpoints_resolution_error: Endpoints cannot be resolved", /could not reach the login host/],
  ])("says what to do about %s", (reason, hint) => {
    const error = toAuthenticationError(new Error(`ClientSecretCredential authentication failed: ${reason}`), []);
    expect(error.message).toMatch(hint);
    expect(error.message).not.toContain("\n");
  });

  it("tells which flags and variables to set when the fallback chain found no credential", () => {
    const cause = Object.assign(new Error("ChainedTokenCredential authentication failed.\nCredentialUnavailableError: ManagedIdentityCredential: ...".repeat(5)), {
      name: "AggregateAuthenticationError",
    });
    const error = toAuthenticationError(cause, []);
    expect(error.message).toBe(`authentication failed: ${NO_CREDENTIAL}`);
    expect(error.message).toMatch(/--device-code/);
    expect(error.message).toMatch(/AZURE_CLIENT_SECRET/);
    expect(error.message).not.toMatch(/ManagedIdentityCredential/);
  });
});
