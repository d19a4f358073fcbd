import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AuthenticationError } from "../../src/errors.js";
import { createGraphClient, type GraphConfig } from "../../src/graph/create.js";
import type { GraphClient } from "../../src/graph/client.js";
import { bearer } from "../support/test-doubles.js";
import { CLIENT_ID, SECRET, TENANT, loginHost } from "./helpers/login-host.js";
import { json, startTestServer, type TestServer } from "../support/test-server.js";

const DEVICES = "/deviceManagement/windowsAutopilotDeviceIdentities";
let server: TestServer;
let clients: GraphClient[] = [];

beforeEach(async () => {
  server = await startTestServer();
});
afterEach(async () => {
  for (const client of clients) client.close();
  clients = [];
  await server.close();
});

function config(overrides: Partial<GraphConfig> = {}): GraphConfig {
  return {
    tenantId: TENANT,
    clientId: CLIENT_ID,
    clientSecret: SECRET,
    graphUrl: server.url,
    authorityHost: server.url,
    caCertificate: server.ca,
    ...overrides,
  };
}

function client(overrides: Partial<GraphConfig> = {}): GraphClient {
  const made = createGraphClient(config(overrides));
  clients.push(made);
  return made;
}

describe("ClientSecretCredential through createGraphClient", () => {
  it("gets a token from the custom authority over TLS trusted by caCertificate, then calls Graph with it", async () => {
    const host = loginHost(server, (_request, response) => json(response, 200, { value: [{ id: "d1" }] }));
    const response = await client().request<{ value: Array<{ id: string }> }>({ method: "GET", path: DEVICES });
    expect(response.body.value).toEqual([{ id: "d1" }]);
    const [tokenRequest] = host.tokenRequests();
    const form = new URLSearchParams(tokenRequest?.body);
    expect(form.get("grant_type")).toBe("client_credentials");
    expect(form.get("scope")).toBe(`${server.url}/.default`);
    const graphCall = server.seen.find((r) => r.url.startsWith("/v1.0/"));
    expect(bearer(graphCall?.headers ?? {})).toBe("issued-1");
  });

  it("the token request fails without the CA: trust reaches @azure/identity only through our policy", async () => {
    loginHost(server, (_request, response) => json(response, 200, { value: [] }));
    const error = await client({ caCertificate: undefined }).request({ method: "GET", path: DEVICES }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as Error).message).toMatch(/the TLS connection to the login host 127\.0\.0\.1:\d+ failed \(DEPTH_ZERO_SELF_SIGNED_CERT\): the server certificate of 127\.0\.0\.1:\d+ is not trusted: give its CA with --ca-cert or NODE_EXTRA_CA_CERTS/);
    expect(server.seen).toHaveLength(0);
  });

  it("reuses the token across requests", async () => {
    const host = loginHost(server, (_request, response) => json(response, 200, { value: [] }));
    const graph = client();
    for (let i = 0; i < 3; i++) await graph.request({ method: "GET", path: DEVICES });
    expect(host.tokenRequests()).toHaveLength(1);
  });

  it("after a 401 gets a genuinely new token (bypassing MSAL's cache) and retries once", async () => {
    const host = loginHost(server, (request, response) =>
      bearer(request.headers) === "issued-1"
        ? json(response, 401, { error: { code: "InvalidAuthenticationToken", message: "Lifetime validation failed, the token is expired." } })
        : json(response, 200, { value: [] }),
    );
    const graph = client();
    await graph.request({ method: "GET", path: DEVICES });
    expect(host.tokenRequests()).toHaveLength(2);
    expect(server.seen.filter((r) => r.url.startsWith("/v1.0/")).map((r) => bearer(r.headers))).toEqual(["issued-1", "issued-2"]);
    expect(graph.stats.tokenRefreshes).toBe(1);
  });

  it("a rejected secret is a one-line AuthenticationError that does not contain the secret", async () => {
    loginHost(server, (_request, response) => json(response, 200, { value: [] }));
    const wrong = "wrong-Secret-Value-456";
    const error = await client({ clientSecret: wrong }).request({ method: "GET", path: DEVICES }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    const message = (error as Error).message;
    expect(message).toContain("AADSTS7000215");
    expect(message).not.toContain(wrong);
    expect(message).not.toMatch(/[\r\n]/);
    expect(server.seen.some((r) => r.url.startsWith("/v1.0/"))).toBe(false);
  });

  it("configuration mistakes are usage errors before any request", () => {
    expect(() => createGraphClient(config({ clientId: undefined }))).toThrow(/clientId/);
    expect(server.seen).toHaveLength(0);
  });
});
