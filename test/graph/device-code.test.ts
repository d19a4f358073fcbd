/**
 * A user's own sign-in with the real DeviceCodeCredential (through createGraphClient) against the emulator's
 * device-code flow over HTTPS: the prompt, authorization_pending until approval, a delegated token Graph accepts,
 * and the other outcomes (declined, expired, approval through the introspection route).
 */
import { afterEach, describe, expect, it } from "vitest";
import { startEmulator, type EmulatorHandle, type ScenarioInput } from "../../src/emulator/index.js";
import { AuthenticationError } from "../../src/errors.js";
import { createGraphClient } from "../../src/graph/create.js";
import { DEFAULT_PUBLIC_CLIENT_ID, type DeviceCodePrompt } from "../../src/graph/delegated.js";

const STAGED = "/deviceManagement/importedWindowsAutopilotDeviceIdentities";
let emulator: EmulatorHandle | undefined;

afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

async function start(deviceCode: NonNullable<NonNullable<ScenarioInput["auth"]>["deviceCode"]>, grants?: NonNullable<ScenarioInput["auth"]>["grants"]) {
  emulator = await startEmulator({ scenario: { throttling: { enabled: false }, auth: { deviceCode: { intervalSeconds: 1, ...deviceCode }, ...(grants ? { grants } : {}) } } });
  const prompts: DeviceCodePrompt[] = [];
  const client = createGraphClient({
    method: "deviceCode",
    tenantId: emulator.tenantId,
    authorityHost: emulator.authorityHost,
    graphUrl: emulator.graphUrl,
    caCertificate: emulator.caCertificate,
    deviceCodePrompt: (prompt) => prompts.push(prompt),
    retry: { maxAttempts: 1 },
  });
  return { emulator, client, prompts };
}

async function approveOverIntrospection(handle: EmulatorHandle, userCode: string): Promise<number> {
  const { default: https } = await import("node:https");
  return new Promise((resolve, reject) => {
    const request = https.request(`${handle.graphUrl}/_emulator/device-code/approve`, { method: "POST", ca: handle.caCertificate, headers: { "content-type": "application/json" } }, (response) => {
      let text = "";
      response.on("data", (chunk: Buffer) => (text += chunk.toString()));
      response.on("end", () => resolve((JSON.parse(text) as { approved: number }).approved));
    });
    request.on("error", reject);
    request.end(JSON.stringify({ userCode }));
  });
}

describe("device-code sign-in against the emulator", () => {
  it("shows the code, waits for approval on the emulator's clock, then calls Graph as the user with the named scope", async () => {
    const { client, prompts, emulator: e } = await start({ approveAfterMs: 1_500 });
    try {
      const started = Date.now();
      await client.signIn(new AbortController().signal);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
      expect(prompts).toHaveLength(1);
      expect(prompts[0]!.userCode).toMatch(/^[A-Z0-9]{9}$/);
      expect(prompts[0]!.message).toContain(prompts[0]!.userCode);
      expect(prompts[0]!.verificationUri).toBe(`${e.graphUrl}/devicelogin`);
      const page = await client.request<{ value: unknown[] }>({ method: "GET", path: STAGED });
      expect(page.status).toBe(200);
      const rejected = e.stats().auth.tokenRequestsRejected;
      expect(rejected["authorization_pending"]).toBeGreaterThanOrEqual(1);
      expect(prompts).toHaveLength(1);
    } finally {
      client.close();
    }
  }, 20_000);

  it("is approved through POST /_emulator/device-code/approve when no delay is set", async () => {
    const { client, prompts, emulator: e } = await start({ approveAfterMs: null });
    try {
      const signedIn = client.signIn(new AbortController().signal);
      while (prompts.length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await approveOverIntrospection(e, prompts[0]!.userCode)).toBe(1);
      await signedIn;
      expect((await client.request({ method: "GET", path: STAGED })).status).toBe(200);
    } finally {
      client.close();
    }
  }, 20_000);

  it("tells a declined sign-in in one line", async () => {
    const { client } = await start({ approveAfterMs: 0, outcome: "decline" });
    try {
      const error = await client.signIn(new AbortController().signal).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(AuthenticationError);
      expect((error as Error).message).toMatch(/the sign-in was declined/);
      expect((error as Error).message).not.toContain("\n");
    } finally {
      client.close();
    }
  }, 20_000);

  it("tells an expired code in one line", async () => {
    const { client } = await start({ approveAfterMs: null, expiresInSeconds: 1 });
    try {
      const error = await client.signIn(new AbortController().signal).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(AuthenticationError);
      expect((error as Error).message).toMatch(/code expired/);
    } finally {
      client.close();
    }
  }, 20_000);

  it("names the delegated permission and the Intune role when Graph answers 403", async () => {
    const { client } = await start({ approveAfterMs: 0 }, { userIntuneRole: false });
    try {
      await client.signIn(new AbortController().signal);
      const error = await client.request({ method: "GET", path: STAGED }).catch((caught: unknown) => caught);
      expect((error as Error).message).toMatch(/status 403/);
      expect((error as Error).message).toMatch(/User is not authorized/);
      expect((error as Error).message).toMatch(/delegated permission DeviceManagementServiceConfig.ReadWrite.All/);
      expect((error as Error).message).toMatch(/Intune role/);
    } finally {
      client.close();
    }
  }, 20_000);

  it("names the delegated permission when the user's token lacks it (not consented)", async () => {
    const { client } = await start({ approveAfterMs: 0 }, { delegatedPermission: false });
    try {
      await client.signIn(new AbortController().signal);
      const error = await client.request({ method: "GET", path: STAGED }).catch((caught: unknown) => caught);
      expect((error as Error).message).toMatch(/status 403.*Application must have one of the following scopes/);
      expect((error as Error).message).toMatch(/signed in as yourself, you need the delegated permission/);
    } finally {
      client.close();
    }
  }, 20_000);

  it("accepts the default public client (Microsoft Graph Command Line Tools) and refuses an unknown one", async () => {
    const { emulator: e } = await start({ approveAfterMs: 0 });
    expect(e.scenario.auth.publicClientIds).toEqual([DEFAULT_PUBLIC_CLIENT_ID]);
    const client = createGraphClient({
      method: "deviceCode",
      tenantId: e.tenantId,
      clientId: "00000000-0000-0000-0000-00000000abcd",
      authorityHost: e.authorityHost,
      graphUrl: e.graphUrl,
      caCertificate: e.caCertificate,
      deviceCodePrompt: () => undefined,
    });
    try {
      const error = await client.signIn(new AbortController().signal).catch((caught: unknown) => caught);
      expect((error as Error).message).toMatch(/unauthorized_client.*check --client-id/);
    } finally {
      client.close();
    }
  }, 20_000);
});
