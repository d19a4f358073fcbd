/** The emulator's device-code flow on the wire: the devicecode answer, the grant's answers on the emulator's clock, approval, refresh. */
import { describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/emulator/index.js";
import { DEFAULT_PUBLIC_CLIENT_ID, delegatedScope } from "../../src/graph/delegated.js";
import { QUIET, STAGED, rawRequest, startClient, type TestClient } from "../support/emulator-client.js";

type Form = Record<string, string>;

function post(client: TestClient, tenantPath: string, form: Form) {
  return rawRequest<Record<string, unknown>>(client.agent, "POST", `${client.emulator.authorityHost}/${tenantPath}`, { "content-type": "application/x-www-form-urlencoded" }, new URLSearchParams(form).toString());
}

function introspect(client: TestClient, route: string, body: unknown) {
  return rawRequest<Record<string, unknown>>(client.agent, "POST", `${client.emulator.graphUrl}/_emulator/${route}`, { "content-type": "application/json" }, JSON.stringify(body));
}

async function begin(client: TestClient, emulator: EmulatorHandle, tenant = emulator.tenantId) {
  const answer = await post(client, `${tenant}/oauth2/v2.0/devicecode`, { client_id: DEFAULT_PUBLIC_CLIENT_ID, scope: `${delegatedScope(emulator.graphUrl)} openid profile offline_access` });
  expect(answer.status, answer.text).toBe(200);
  return answer.body as { device_code: string; user_code: string; verification_uri: string; expires_in: number; interval: number; message: string };
}

const poll = (client: TestClient, deviceCode: string) =>
  post(client, `${client.emulator.tenantId}/oauth2/v2.0/token`, { grant_type: "urn:ietf:params:oauth:grant-type:device_code", client_id: DEFAULT_PUBLIC_CLIENT_ID, device_code: deviceCode });

describe("the emulator's device-code flow", () => {
  it("hands out a code, answers authorization_pending until the delay passes on its clock, then a user's token Graph accepts", async () => {
    const client = await startClient({ ...QUIET, auth: { deviceCode: { approveAfterMs: 60_000 } } });
    const code = await begin(client, client.emulator);
    expect(code).toMatchObject({ expires_in: 900, interval: 5, verification_uri: `${client.emulator.graphUrl}/devicelogin` });
    expect(code.message).toContain(code.user_code);
    const pending = await poll(client, code.device_code);
    expect(pending.status).toBe(400);
    expect(pending.body).toMatchObject({ error: "authorization_pending", error_codes: [70016] });
    await introspect(client, "clock", { advanceMs: 60_000 });
    const granted = await poll(client, code.device_code);
    expect(granted.status, granted.text).toBe(200);
    const body = granted.body as { access_token: string; refresh_token: string; id_token: string; client_info: string; scope: string };
    expect(body.scope).toContain("DeviceManagementServiceConfig.ReadWrite.All");
    const claims = JSON.parse(Buffer.from(body.id_token.split(".")[1]!, "base64url").toString()) as Record<string, unknown>;
    expect(claims).toMatchObject({ preferred_username: "admin@emulator.onmicrosoft.com", tid: client.emulator.tenantId, aud: DEFAULT_PUBLIC_CLIENT_ID });
    expect(JSON.parse(Buffer.from(body.client_info, "base64url").toString())).toEqual({ uid: claims["oid"], utid: client.emulator.tenantId });
    const graph = await client.request("GET", STAGED, { token: body.access_token });
    expect(graph.status).toBe(200);
    // The code is used up; the refresh token gives a new pair once, then is spent.
    expect((await poll(client, code.device_code)).body).toMatchObject({ error: "bad_verification_code" });
    const refreshed = await post(client, `${client.emulator.tenantId}/oauth2/v2.0/token`, { grant_type: "refresh_token", client_id: DEFAULT_PUBLIC_CLIENT_ID, refresh_token: body.refresh_token });
    expect(refreshed.status, refreshed.text).toBe(200);
    expect((await client.request("GET", STAGED, { token: (refreshed.body as { access_token: string }).access_token })).status).toBe(200);
    const reused = await post(client, `${client.emulator.tenantId}/oauth2/v2.0/token`, { grant_type: "refresh_token", client_id: DEFAULT_PUBLIC_CLIENT_ID, refresh_token: body.refresh_token });
    expect(reused.body).toMatchObject({ error: "invalid_grant" });
  });

  it("is approved by user code through the introspection route, through 'organizations' too", async () => {
    const client = await startClient({ ...QUIET, auth: { deviceCode: { approveAfterMs: null } } });
    const code = await begin(client, client.emulator, "organizations");
    await introspect(client, "clock", { advanceMs: 899_000 });
    expect((await poll(client, code.device_code)).body).toMatchObject({ error: "authorization_pending" });
    expect((await introspect(client, "device-code/approve", { userCode: "NOPE" })).body).toEqual({ approved: 0 });
    expect((await introspect(client, "device-code/approve", { userCode: code.user_code.toLowerCase() })).body).toEqual({ approved: 1 });
    expect((await poll(client, code.device_code)).status).toBe(200);
  });

  it("answers expired_token once the code's lifetime has passed, and authorization_declined for a user who declines", async () => {
    const client = await startClient({ ...QUIET, auth: { deviceCode: { approveAfterMs: null, expiresInSeconds: 60 } } });
    const code = await begin(client, client.emulator);
    await introspect(client, "clock", { advanceMs: 60_000 });
    expect((await poll(client, code.device_code)).body).toMatchObject({ error: "expired_token", error_codes: [70019] });
    await client.emulator.setScenario({ auth: { deviceCode: { approveAfterMs: 0, outcome: "decline" } } });
    const declined = await begin(client, client.emulator);
    expect((await poll(client, declined.device_code)).body).toMatchObject({ error: "authorization_declined" });
  });

  it("refuses an unknown public client and an app's client credentials through 'organizations'", async () => {
    const client = await startClient(QUIET);
    const unknown = await post(client, `${client.emulator.tenantId}/oauth2/v2.0/devicecode`, { client_id: "00000000-0000-0000-0000-00000000beef", scope: delegatedScope(client.emulator.graphUrl) });
    expect(unknown.body).toMatchObject({ error: "unauthorized_client", error_codes: [700016] });
    const app = await post(client, "organizations/oauth2/v2.0/token", { grant_type: "client_credentials", client_id: client.emulator.clientId, client_secret: client.emulator.clientSecret, scope: `${client.emulator.graphUrl}/.default` });
    expect(app.body).toMatchObject({ error: "invalid_tenant", error_codes: [90002] });
  });
});
