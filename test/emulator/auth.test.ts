import https from "node:https";
import { AuthenticationRequiredError, ClientSecretCredential } from "@azure/identity";
import { describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/emulator/index.js";
import { QUIET, REGISTERED, rawRequest, startClient, type GraphErrorShape } from "../support/emulator-client.js";

const GRAPH_SCOPE = "https://graph.microsoft.com/.default";

/** The real credential, trusting the emulator's CA in-process through a per-call pipeline policy. */
function credential(emulator: EmulatorHandle, secret = emulator.clientSecret, clientId = emulator.clientId): ClientSecretCredential {
  const agent = new https.Agent({ ca: emulator.caCertificate });
  return new ClientSecretCredential(emulator.tenantId, clientId, secret, {
    authorityHost: emulator.authorityHost,
    disableInstanceDiscovery: true,
    retryOptions: { maxRetries: 0 },
    additionalPolicies: [
      {
        position: "perCall",
        policy: {
          name: "trust-emulator-ca",
          sendRequest: (request, next) => {
            request.agent = agent;
            return next(request);
          },
        },
      },
    ],
  });
}

function tokenRequest(emulator: EmulatorHandle, agent: https.Agent, form: Record<string, string>, tenant = emulator.tenantId) {
  return rawRequest<Record<string, unknown>>(
    agent,
    "POST",
    `${emulator.authorityHost}/${tenant}/oauth2/v2.0/token`,
    { "content-type": "application/x-www-form-urlencoded", "client-request-id": "corr-1" },
    new URLSearchParams(form).toString(),
  );
}

describe("identity: ClientSecretCredential contract", () => {
  it("gets a token the Graph routes accept, and the token is rejected with 401 once it expires", async () => {
    const client = await startClient({ ...QUIET, auth: { tokenLifetimeSeconds: 600 } });
    const { emulator } = client;
    const token = await credential(emulator).getToken(GRAPH_SCOPE);
    expect(token.token).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    // expires_in is reported on the real clock: 600 emulated seconds at speed 1.
    expect(token.expiresOnTimestamp - Date.now()).toBeGreaterThan(590_000);

    const accepted = await client.request("GET", REGISTERED, { token: token.token });
    expect(accepted.status).toBe(200);

    emulator.clock.advance(601_000);
    const rejected = await client.request<GraphErrorShape>("GET", REGISTERED, { token: token.token });
    expect(rejected.status).toBe(401);
    expect(rejected.body.error.code).toBe("InvalidAuthenticationToken");
    expect(rejected.body.error.message).toBe("Lifetime validation failed, the token is expired.");
    expect(rejected.headers["www-authenticate"]).toMatch(/^Bearer /);

    const stats = emulator.stats();
    expect(stats.requests.byRoute["GET /{tenant}/v2.0/.well-known/openid-configuration"]).toEqual({ "200": 1 });
    expect(stats.requests.byRoute["POST /{tenant}/oauth2/v2.0/token"]).toEqual({ "200": 1 });
    expect(stats.auth.graphUnauthorized).toBe(1);
  });

  it("expires tokens on a fast clock: expires_in is scaled to real seconds", async () => {
    const client = await startClient({ ...QUIET, clock: { speed: 600 }, auth: { tokenLifetimeSeconds: 600 } });
    const token = await credential(client.emulator).getToken(GRAPH_SCOPE);
    // 600 emulated seconds at 600x is one real second (MSAL rounds to whole seconds).
    expect(token.expiresOnTimestamp - Date.now()).toBeLessThanOrEqual(2000);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const rejected = await client.request<GraphErrorShape>("GET", REGISTERED, { token: token.token });
    expect(rejected.status).toBe(401);
  });

  it("answers a wrong secret with Entra's invalid_client (AADSTS7000215), which the credential surfaces", async () => {
    const { emulator } = await startClient();
    const failure = await credential(emulator, "not-the-secret").getToken(GRAPH_SCOPE).catch((error: unknown) => error);
    // As against the real Entra ID: MSAL's ServerError becomes an AuthenticationRequiredError carrying the AADSTS text.
    expect(failure).toBeInstanceOf(AuthenticationRequiredError);
    expect((failure as Error).message).toContain("invalid_client");
    expect((failure as Error).message).toContain("AADSTS7000215");
    expect(emulator.stats().auth.tokenRequestsRejected).toEqual({ invalid_client: 1 });
  });

  it("answers an unknown client id with unauthorized_client (AADSTS700016)", async () => {
    const { emulator } = await startClient();
    const failure = await credential(emulator, emulator.clientSecret, "11111111-2222-3333-4444-555555555555")
      .getToken(GRAPH_SCOPE)
      .catch((error: unknown) => error);
    expect((failure as Error).message).toContain("AADSTS700016");
  });
});

describe("identity: token endpoint errors have Entra ID's shape", () => {
  it("wrong secret: 401 invalid_client with error_codes, timestamp, trace and correlation ids", async () => {
    const { emulator, agent } = await startClient();
    const reply = await tokenRequest(emulator, agent, {
      grant_type: "client_credentials",
      client_id: emulator.clientId,
      client_secret: "wrong",
      scope: GRAPH_SCOPE,
    });
    expect(reply.status).toBe(401);
    expect(reply.body).toMatchObject({ error: "invalid_client", error_codes: [7000215], correlation_id: "corr-1" });
    expect(String(reply.body["error_description"])).toMatch(/^AADSTS7000215: Invalid client secret provided\./);
    expect(String(reply.body["timestamp"])).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
    expect(reply.body["trace_id"]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it.each([
    ["unknown client", { client_id: "11111111-2222-3333-4444-555555555555" }, 400, "unauthorized_client", 700016],
    ["no secret", { client_secret: "" }, 401, "invalid_client", 7000216],
    ["no grant type", { grant_type: "" }, 400, "invalid_request", 900144],
    ["password grant", { grant_type: "password" }, 400, "unsupported_grant_type", 70003],
    ["scope without /.default", { scope: "https://graph.microsoft.com/DeviceManagementServiceConfig.ReadWrite.All" }, 400, "invalid_scope", 1002012],
    ["unknown resource", { scope: "https://management.azure.com/.default" }, 400, "invalid_resource", 500011],
  ])("%s", async (_name, override, status, error, code) => {
    const { emulator, agent } = await startClient();
    const form = { grant_type: "client_credentials", client_id: emulator.clientId, client_secret: emulator.clientSecret, scope: GRAPH_SCOPE, ...override };
    const reply = await tokenRequest(emulator, agent, form);
    expect(reply.status).toBe(status);
    expect(reply.body).toMatchObject({ error, error_codes: [code] });
  });

  it("unknown and malformed tenants", async () => {
    const { emulator, agent } = await startClient();
    const form = { grant_type: "client_credentials", client_id: emulator.clientId, client_secret: emulator.clientSecret, scope: GRAPH_SCOPE };
    const unknown = await tokenRequest(emulator, agent, form, "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ error: "invalid_tenant", error_codes: [90002] });
    const malformed = await tokenRequest(emulator, agent, form, "not a tenant!");
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ error: "invalid_request", error_codes: [900023] });
  });

  it("accepts client_secret_basic and the emulator's own origin as the resource", async () => {
    const { emulator, agent } = await startClient();
    const basic = Buffer.from(`${emulator.clientId}:${encodeURIComponent(emulator.clientSecret)}`).toString("base64");
    const reply = await rawRequest<Record<string, unknown>>(
      agent,
      "POST",
      `${emulator.authorityHost}/${emulator.tenantId}/oauth2/v2.0/token`,
      { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${basic}` },
      new URLSearchParams({ grant_type: "client_credentials", scope: `${emulator.graphUrl}/.default` }).toString(),
    );
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ token_type: "Bearer", expires_in: 3599, ext_expires_in: 3599 });
  });

  it("serves the OpenID configuration MSAL validates (issuer on the authority's origin)", async () => {
    const { emulator, agent } = await startClient();
    const reply = await rawRequest<Record<string, string>>(agent, "GET", `${emulator.authorityHost}/${emulator.tenantId}/v2.0/.well-known/openid-configuration`, {});
    expect(reply.status).toBe(200);
    expect(reply.body["token_endpoint"]).toBe(`${emulator.authorityHost}/${emulator.tenantId}/oauth2/v2.0/token`);
    expect(reply.body["issuer"]).toBe(`${emulator.authorityHost}/${emulator.tenantId}/v2.0`);
    expect(reply.body["authorization_endpoint"]).toBeDefined();
    expect(reply.body["jwks_uri"]).toBeDefined();
  });
});

describe("Graph authentication", () => {
  it("401 InvalidAuthenticationToken without a token, or with one it never issued", async () => {
    const client = await startClient();
    const none = await client.request<GraphErrorShape>("GET", REGISTERED, { token: null });
    expect(none.status).toBe(401);
    expect(none.body.error).toMatchObject({ code: "InvalidAuthenticationToken", message: "Access token is empty." });
    const forged = await client.request<GraphErrorShape>("GET", REGISTERED, { token: "forged" });
    expect(forged.status).toBe(401);
    expect(forged.body.error.code).toBe("InvalidAuthenticationToken");
  });

  it("puts request-id and client-request-id on every answer, and in innerError", async () => {
    const client = await startClient();
    const ok = await client.request("GET", REGISTERED, { headers: { "client-request-id": "mine-1" } });
    expect(ok.headers["request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(ok.headers["client-request-id"]).toBe("mine-1");
    const error = await client.request<GraphErrorShape>("GET", `${REGISTERED}/nope`, { headers: { "client-request-id": "mine-2" } });
    expect(error.status).toBe(404);
    expect(error.headers["client-request-id"]).toBe("mine-2");
    expect(error.body.error.innerError["request-id"]).toBe(error.headers["request-id"]);
    expect(error.body.error.innerError["client-request-id"]).toBe("mine-2");
    expect(error.body.error.innerError["date"]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
    const generated = await client.request("GET", REGISTERED);
    expect(generated.headers["client-request-id"]).toBe(generated.headers["request-id"]);
  });
});
