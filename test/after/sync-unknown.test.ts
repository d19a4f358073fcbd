import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { triggerAutopilotSync } from "../../src/after/sync.js";
import { GraphClient } from "../../src/graph/client.js";
import { CountingCredential, recordingSleep } from "../support/test-doubles.js";
import { json, startTestServer, type TestServer } from "../support/test-server.js";

// The emulator cannot lose one particular answer on purpose; a scripted HTTPS server can.
let server: TestServer;
let client: GraphClient;
const NOW = Date.parse("2026-11-22T12:00:00Z");

beforeEach(async () => {
  server = await startTestServer();
  client = new GraphClient({ credential: new CountingCredential(), graphUrl: server.url, caCertificate: server.ca, sleep: recordingSleep().sleep });
});
afterEach(async () => {
  client.close();
  await server.close();
});

const settings = (lastManual: string, syncStatus = "completed") => ({
  id: "s", lastSyncDateTime: "2026-11-22T11:00:00Z", lastManualSyncTriggerDateTime: lastManual, syncStatus,
});

describe("triggerAutopilotSync when the answer to the POST is lost", () => {
  it("confirms the trigger through the settings instead of sending it again", async () => {
    server.handle((request, response, raw) => {
      if (request.method === "POST") return raw.socket.destroy();
      json(response, 200, settings("2026-11-22T12:00:00Z", "inProgress"));
    });
    const result = await triggerAutopilotSync(client, { now: () => NOW });
    expect(result).toMatchObject({ status: "triggered", triggers: 1 });
    expect(server.seen.map((r) => r.method)).toEqual(["POST", "GET"]);
  });

  it("sends it once more when the settings show it did not land", async () => {
    server.handle((request, response, raw) => {
      if (request.method === "GET") return json(response, 200, settings("2026-11-22T10:00:00Z"));
      if (server.seen.length === 1) return raw.socket.destroy();
      json(response, 204);
    });
    const result = await triggerAutopilotSync(client, { now: () => NOW });
    expect(result).toMatchObject({ status: "triggered", triggers: 2 });
    expect(server.seen.map((r) => r.method)).toEqual(["POST", "GET", "POST"]);
  });
});
