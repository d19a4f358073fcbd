/**
 * Interop: the emulator driven by Microsoft's own JavaScript Graph client (@microsoft/microsoft-graph-client) with a
 * real @azure/identity ClientSecretCredential, over real HTTPS. Every answer is parsed by that client (GraphResponseHandler,
 * GraphErrorHandler, PageIterator, BatchResponseContent) exactly as it would parse one from graph.microsoft.com.
 */
import { randomBytes, randomUUID } from "node:crypto";
import https from "node:https";
import path from "node:path";
import { ClientSecretCredential } from "@azure/identity";
import {
  BatchRequestContent,
  BatchResponseContent,
  Client,
  GraphError,
  PageIterator,
  RetryHandlerOptions,
  type PageCollection,
} from "@microsoft/microsoft-graph-client";
import { TokenCredentialAuthenticationProvider } from "@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials/index.js";
import nodeFetch from "node-fetch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadScenarioFile, startEmulator, type EmulatorHandle, type Scenario } from "../../src/emulator/index.js";

const SCENARIOS = path.resolve(import.meta.dirname, "../../fixtures/scenarios");
const PROFILES = ["default.json", "pessimistic.json"] as const;

const STAGED = "/deviceManagement/importedWindowsAutopilotDeviceIdentities";
const REGISTERED = "/deviceManagement/windowsAutopilotDeviceIdentities";
const SETTINGS = "/deviceManagement/windowsAutopilotSettings";
const DEVICES = 5;
const PAGE_SIZE = 2;

/** The wire shapes this test reads (Graph's documented properties). */
interface ImportedIdentity {
  readonly "@odata.type"?: string;
  readonly id: string;
  readonly serialNumber: string;
  readonly productKey: string | null;
  readonly hardwareIdentifier: string | null;
  readonly groupTag: string | null;
  readonly importId: string | null;
  readonly state: { readonly deviceImportStatus: string; readonly deviceRegistrationId: string | null; readonly deviceErrorCode: number };
}

interface AutopilotDevice {
  readonly id: string;
  readonly serialNumber: string;
  readonly groupTag: string;
  readonly displayName: string;
}

interface AutopilotSettings {
  readonly id: string;
  readonly lastSyncDateTime: string;
  readonly lastManualSyncTriggerDateTime: string;
  readonly syncStatus: string;
}

interface GraphErrorBody {
  readonly error: { readonly code: string; readonly message: string };
}

/** What a request that must fail threw: Microsoft's GraphError, never anything else. */
async function graphError(request: Promise<unknown>): Promise<GraphError> {
  const outcome = await request.then(
    (value: unknown) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if (!("error" in outcome)) throw new Error(`expected a GraphError, got an answer: ${JSON.stringify(outcome.value)}`);
  expect(outcome.error).toBeInstanceOf(GraphError);
  return outcome.error as GraphError;
}

/** One identity as an OEM CSV row gives it: a padded base64 hash of a few hundred bytes. */
function identity(serialNumber: string, importId: string): Record<string, string> {
  return { serialNumber, hardwareIdentifier: randomBytes(300).toString("base64"), groupTag: "interop", importId };
}

for (const profile of PROFILES) {
  const file = path.join(SCENARIOS, profile);

  describe(`Microsoft Graph JS client against the emulator (${profile})`, () => {
    let emulator: EmulatorHandle;
    let scenario: Scenario;
    let client: Client;
    let agent: https.Agent;
    let originalFetch: typeof globalThis.fetch;
    const importId = randomUUID();
    const sent: Array<Record<string, string>> = [];
    let imported: ImportedIdentity[] = [];
    let registered: AutopilotDevice | undefined;

    beforeAll(async () => {
      const loaded = await loadScenarioFile(file);
      emulator = await startEmulator({
        scenario: {
          ...loaded,
          // Fast and unthrottled; processing is driven with clock.advance, pages are small so listings span several.
          clock: { ...loaded.clock, speed: 100 },
          throttling: { ...loaded.throttling, enabled: false },
          paging: { ...loaded.paging, stagedPageSize: PAGE_SIZE, registeredPageSize: PAGE_SIZE },
        },
      });
      scenario = emulator.scenario;
      agent = new https.Agent({ ca: emulator.caCertificate, keepAlive: true });
      // The SDK calls the global fetch; Node's own fetch takes no per-request CA, so, as the SDK's README prescribes
      // for Node, a fetch polyfill (node-fetch) serves it and the SDK's `fetchOptions.agent` (its NodeFetchInit) carries the CA.
      originalFetch = globalThis.fetch;
      globalThis.fetch = nodeFetch as unknown as typeof globalThis.fetch;
      const credential = new ClientSecretCredential(emulator.tenantId, emulator.clientId, emulator.clientSecret, {
        authorityHost: emulator.authorityHost,
        disableInstanceDiscovery: true,
        agent, // the token requests trust the emulator's CA through @azure/core-rest-pipeline's `agent` option
      });
      client = Client.initWithMiddleware({
        authProvider: new TokenCredentialAuthenticationProvider(credential, { scopes: [`${emulator.graphUrl}/.default`] }),
        baseUrl: emulator.graphUrl,
        defaultVersion: "v1.0",
        // Without it the SDK sends no Authorization header to a host other than Graph's (nextLinks included).
        customHosts: new Set([new URL(emulator.graphUrl).hostname]),
        fetchOptions: { agent },
      });
    });

    afterAll(async () => {
      if (originalFetch) globalThis.fetch = originalFetch;
      agent?.destroy();
      await emulator?.close();
    });

    it("import: the action's answer lists every identity, staged in order", async () => {
      for (let index = 0; index < DEVICES; index += 1) sent.push(identity(`INTEROP-${profile.slice(0, 3)}-${index}`, importId));
      const answer = (await client.api(`${STAGED}/import`).post({ importedWindowsAutopilotDeviceIdentities: sent })) as {
        "@odata.context"?: string;
        value: ImportedIdentity[];
      };
      expect(answer["@odata.context"]).toMatch(/\$metadata#Collection\(microsoft\.graph\.importedWindowsAutopilotDeviceIdentity\)$/);
      expect(answer.value).toHaveLength(DEVICES);
      imported = answer.value;
      expect(new Set(imported.map((record) => record.id)).size).toBe(DEVICES);
      imported.forEach((record, index) => {
        const input = sent[index] as Record<string, string>;
        expect(record["@odata.type"]).toBe("#microsoft.graph.importedWindowsAutopilotDeviceIdentity");
        expect(record.id).toMatch(/^[0-9a-f-]{36}$/i);
        expect(record.serialNumber).toBe(input["serialNumber"]);
        expect(record.groupTag).toBe("interop");
        expect(record.state.deviceImportStatus).toBe("unknown");
        expectEchoes(record, input);
      });
    });

    it("list: PageIterator follows every nextLink and yields each staged record once", async () => {
      const route = "GET /v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities";
      const pagesBefore = emulator.stats().requests.byRoute[route]?.["200"] ?? 0;
      const first = (await client.api(STAGED).get()) as PageCollection;
      expect(first.value).toHaveLength(PAGE_SIZE);
      expect(first["@odata.nextLink"]).toMatch(new RegExp(`^${emulator.graphUrl.replaceAll(".", "\\.")}/v1\\.0${STAGED}\\?`));
      const seen = new Map<string, ImportedIdentity>();
      let repeated = false;
      const iterator = new PageIterator(client, first, (item: ImportedIdentity) => {
        // A real client's guard: a page seen twice means the service repeated a nextLink; stop instead of looping.
        if (seen.has(item.id)) {
          repeated = true;
          return false;
        }
        seen.set(item.id, item);
        return true;
      });
      await iterator.iterate();
      const pages = Math.ceil(DEVICES / PAGE_SIZE);
      const repeatAfter = scenario.service.repeatNextLinkAfterPages;
      if (repeatAfter > 0 && repeatAfter < pages) {
        // The service's nextLink stops moving after `repeatAfter` pages: the guard ends the loop, the rest is unreachable.
        expect(repeated).toBe(true);
        expect([...seen.keys()]).toEqual(imported.slice(0, repeatAfter * PAGE_SIZE).map((record) => record.id));
        return;
      }
      expect(repeated).toBe(false);
      expect(iterator.isComplete()).toBe(true);
      expect((emulator.stats().requests.byRoute[route]?.["200"] ?? 0) - pagesBefore).toBe(pages);
      expect([...seen.keys()]).toEqual(imported.map((record) => record.id));
      sent.forEach((input, index) => {
        const record = seen.get(imported[index]?.id ?? "") as ImportedIdentity;
        expect(record.serialNumber).toBe(input["serialNumber"]);
        expectEchoes(record, input);
      });
    });

    it("$select: answered as the profile says (the selected properties, or the reported 500)", async () => {
      const id = imported[0]?.id ?? "";
      const request = client.api(`${STAGED}/${id}`).select(["id", "serialNumber"]).get() as Promise<Record<string, unknown>>;
      if (scenario.service.selectFailsOn.includes("staged")) {
        const error = await graphError(request);
        expect(error.statusCode).toBe(500);
        expect(error.code).toBe("InternalServerError");
        return;
      }
      const record = await request;
      expect(record["id"]).toBe(id);
      expect(record["serialNumber"]).toBe(sent[0]?.["serialNumber"]);
      expect(record).not.toHaveProperty("hardwareIdentifier");
    });

    it("settings: beta windowsAutopilotSettings reads back with valid dates and a sync status", async () => {
      const settings = (await client.api(SETTINGS).version("beta").get()) as AutopilotSettings;
      expect(typeof settings.id).toBe("string");
      expect(Number.isNaN(Date.parse(settings.lastSyncDateTime))).toBe(false);
      expect(Number.isNaN(Date.parse(settings.lastManualSyncTriggerDateTime))).toBe(false);
      expect(["unknown", "inProgress", "completed", "failed"]).toContain(settings.syncStatus);
      // v1.0 does not route the singleton: the client surfaces Graph's 400 as a GraphError.
      const error = await graphError(client.api(SETTINGS).get());
      expect(error.statusCode).toBe(400);
      expect(error.code).toBe("BadRequest");
    });

    it("sync: 204, then 409 while running or 429 within 10 minutes, as GraphErrors", async () => {
      // The SDK's RetryHandler would retry a 429 (three times, seconds apart); turn it off to see the first answer.
      const noRetry = [new RetryHandlerOptions(0, 0)];
      const sync = (): Promise<unknown> => client.api(`${SETTINGS}/sync`).version("beta").middlewareOptions(noRetry).post({});
      const before = Date.parse(((await client.api(SETTINGS).version("beta").get()) as AutopilotSettings).lastManualSyncTriggerDateTime);
      await expect(sync()).resolves.toBeUndefined(); // 204: the SDK resolves with no value

      const second = await graphError(sync());
      expect([409, 429]).toContain(second.statusCode);
      expect(second.code).toBe(second.statusCode === 409 ? "Conflict" : "TooManyRequests");
      expect(second.requestId).toMatch(/^[0-9a-f-]{36}$/i);
      expect(Number.isNaN(second.date.getTime())).toBe(false);

      // Once the sync has run its course, the 10-minute rule alone answers: 429.
      emulator.clock.advance(scenario.sync.durationMs + 1000);
      const settings = (await client.api(SETTINGS).version("beta").get()) as AutopilotSettings;
      expect(["completed", "failed"]).toContain(settings.syncStatus);
      expect(Date.parse(settings.lastManualSyncTriggerDateTime)).toBeGreaterThan(before);
      const third = await graphError(sync());
      expect(third.statusCode).toBe(429);
      expect(third.code).toBe("TooManyRequests");
    });

    it("updateDeviceProperties: a device registered by processing takes the change and reads it back", async () => {
      // One jump per processing phase: tasks run inside clock.advance() see the time jumped to, so a follow-up phase
      // (pending → final state → registration) is scheduled from there, not from when its predecessor fell due.
      const { processing } = scenario;
      const phases = [processing.delayMs + processing.spreadMs, processing.pendingPhase ? processing.pendingMs + processing.spreadMs : 0, processing.registrationLagMs];
      for (const ms of phases) if (ms > 0) emulator.clock.advance(ms + 1000);
      const devices: AutopilotDevice[] = [];
      const first = (await client.api(REGISTERED).get()) as PageCollection;
      await new PageIterator(client, first, (item: AutopilotDevice) => {
        if (devices.some((device) => device.id === item.id)) return false;
        devices.push(item);
        return true;
      }).iterate();
      const serial = sent[0]?.["serialNumber"];
      registered = devices.find((device) => device.serialNumber === serial);
      expect(registered, `device ${String(serial)} registered`).toBeDefined();
      const id = registered?.id ?? "";

      const update = { groupTag: "interop-updated", displayName: "Interop PC" };
      await expect(client.api(`${REGISTERED}/${id}/updateDeviceProperties`).post(update)).resolves.toBeUndefined();
      // An update shows once processing.updateLagMs has passed (the pessimistic profile's 15 minutes).
      if (processing.updateLagMs > 0) emulator.clock.advance(processing.updateLagMs);
      const after = (await client.api(`${REGISTERED}/${id}`).get()) as AutopilotDevice;
      expect(after.groupTag).toBe("interop-updated");
      expect(after.displayName).toBe("Interop PC");

      const error = await graphError(client.api(`${REGISTERED}/${randomUUID()}/updateDeviceProperties`).post(update));
      expect(error.statusCode).toBe(404);
    });

    it("$batch: relative URLs in, each sub-response parsed by BatchResponseContent", async () => {
      const origin = `${emulator.graphUrl}/`;
      // Node's Request needs an absolute URL; BatchRequestContent strips scheme, host and port, leaving the relative
      // URL Graph expects, so the requests are built on the bare origin (see msgraph-sdk-javascript#1178, #1451).
      const get = (url: string): Request => new Request(new URL(url.replace(/^\//, ""), origin), { method: "GET" });
      const missing = randomUUID();
      const content = new BatchRequestContent([
        { id: "staged-0", request: get(`${STAGED}/${imported[0]?.id ?? ""}`) },
        { id: "registered", request: get(`${REGISTERED}/${registered?.id ?? ""}`) },
        { id: "staged-1", request: get(`${STAGED}/${imported[1]?.id ?? ""}`) },
        { id: "missing", request: get(`${STAGED}/${missing}`) },
        // The form BatchRequestContent makes of a full Graph URL: the version stays in, which Graph refuses.
        { id: "versioned", request: get(`/v1.0${STAGED}/${imported[2]?.id ?? ""}`) },
      ]);
      const body = await content.getContent();
      expect(body.requests.map((request) => request.url)).toEqual([
        `${STAGED}/${imported[0]?.id ?? ""}`,
        `${REGISTERED}/${registered?.id ?? ""}`,
        `${STAGED}/${imported[1]?.id ?? ""}`,
        `${STAGED}/${missing}`,
        `/v1.0${STAGED}/${imported[2]?.id ?? ""}`,
      ]);
      const answer = new BatchResponseContent(await client.api("/$batch").post(body));
      expect([...answer.getResponses().keys()].sort()).toEqual(["missing", "registered", "staged-0", "staged-1", "versioned"]);

      for (const index of [0, 1]) {
        const response = answer.getResponseById(`staged-${index}`);
        expect(response.status).toBe(200);
        expect(response.headers.get("content-type")).toMatch(/^application\/json/);
        const record = (await response.json()) as ImportedIdentity;
        expect(record.id).toBe(imported[index]?.id);
        expect(record.serialNumber).toBe(sent[index]?.["serialNumber"]);
        expectEchoes(record, sent[index] as Record<string, string>);
      }
      const device = answer.getResponseById("registered");
      expect(device.status).toBe(200);
      expect(((await device.json()) as AutopilotDevice).groupTag).toBe("interop-updated");

      const notFound = answer.getResponseById("missing");
      expect(notFound.status).toBe(404);
      expect(((await notFound.json()) as GraphErrorBody).error.code).toBe("ResourceNotFound");
      const versioned = answer.getResponseById("versioned");
      expect(versioned.status).toBe(400);
      expect(((await versioned.json()) as GraphErrorBody).error.message).toBe("Resource not found for the segment 'v1.0'.");
    });

    /** How a staged record states what was sent: echoed, or (service.importIdKept false) its own id and no hash. */
    function expectEchoes(record: ImportedIdentity, input: Record<string, string>): void {
      if (scenario.service.importIdKept) {
        expect(record.importId).toBe(input["importId"]);
        expect(record.hardwareIdentifier).toBe(input["hardwareIdentifier"]);
      } else {
        expect(record.importId).toBe(record.id);
        expect(record.productKey).toBe(record.id);
        expect(record.hardwareIdentifier).toBe("");
      }
    }
  });
}
