import { describe, expect, it } from "vitest";
import { QUIET, device, startClient, type GraphErrorShape, type Staged } from "../support/emulator-client.js";

interface BatchReply {
  readonly responses: { id: string; status: number; headers: Record<string, string>; body?: unknown }[];
}

describe("JSON batching", () => {
  it("runs each request through the same routes and answers in order", async () => {
    const client = await startClient();
    const created = await client.request<Staged>("POST", "/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities", { body: device("B0") });
    const reply = await client.request<BatchReply>("POST", "/v1.0/$batch", {
      body: {
        requests: [
          { id: "1", method: "POST", url: "/deviceManagement/importedWindowsAutopilotDeviceIdentities/import", headers: { "Content-Type": "application/json" }, body: { importedWindowsAutopilotDeviceIdentities: [device("B1")] } },
          { id: "2", method: "GET", url: `deviceManagement/importedWindowsAutopilotDeviceIdentities/${created.body.id}` },
          { id: "3", method: "DELETE", url: `/deviceManagement/importedWindowsAutopilotDeviceIdentities/${created.body.id}`, dependsOn: ["2"] },
          { id: "4", method: "GET", url: "/deviceManagement/nothingHere" },
          { id: "5", method: "GET", url: "/deviceManagement/windowsAutopilotDeviceIdentities", dependsOn: ["4"] },
        ],
      },
    });
    expect(reply.status).toBe(200);
    expect(reply.body.responses.map((response) => [response.id, response.status])).toEqual([["1", 200], ["2", 200], ["3", 204], ["4", 400], ["5", 424]]);
    expect(reply.body.responses[0]?.headers["Content-Type"]).toMatch(/^application\/json/);
    expect(reply.body.responses[2]?.body).toBeUndefined();
    expect((reply.body.responses[3]?.body as GraphErrorShape).error.code).toBe("BadRequest");
    const stats = client.emulator.stats();
    expect(stats.batches).toEqual({ total: 1, subRequests: 5 });
    expect(stats.requests.byRoute["POST /v1.0/$batch"]).toEqual({ "200": 1 });
    expect(stats.requests.byRoute["DELETE /v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities/{id}"]).toEqual({ "204": 1 });
  });

  it("refuses more than 20 requests, empty and malformed batches, and nesting", async () => {
    const client = await startClient();
    const many = Array.from({ length: 21 }, (_, index) => ({ id: String(index), method: "GET", url: "/deviceManagement/windowsAutopilotDeviceIdentities" }));
    expect((await client.request("POST", "/v1.0/$batch", { body: { requests: many } })).status).toBe(400);
    expect((await client.request("POST", "/v1.0/$batch", { body: { requests: many.slice(0, 20) } })).status).toBe(200);
    expect((await client.request("POST", "/v1.0/$batch", { body: { requests: [] } })).status).toBe(400);
    expect((await client.request("POST", "/v1.0/$batch", { body: { requests: [{ id: "1", url: "/x" }] } })).status).toBe(400);
    const nested = await client.request<BatchReply>("POST", "/beta/$batch", { body: { requests: [{ id: "1", method: "POST", url: "/$batch", body: { requests: [] } }] } });
    expect(nested.body.responses[0]?.status).toBe(400);
  });

  it("throttles each sub-request, with Retry-After in the sub-response", async () => {
    const client = await startClient({ ...QUIET, throttling: { enabled: true, writesPerWindow: 2, requestsPerWindow: 1000 } });
    const requests = Array.from({ length: 4 }, (_, index) => ({
      id: String(index),
      method: "POST",
      url: "/deviceManagement/importedWindowsAutopilotDeviceIdentities",
      headers: { "content-type": "application/json" },
      body: device(`BT${index}`),
    }));
    const reply = await client.request<BatchReply>("POST", "/v1.0/$batch", { body: { requests } });
    expect(reply.body.responses.map((response) => response.status)).toEqual([201, 201, 429, 429]);
    expect(Number(reply.body.responses[2]?.headers["Retry-After"])).toBeGreaterThanOrEqual(1);
    expect(client.emulator.stats().throttled).toEqual({ total: 2, writes: 2, requests: 0 });
  });
});
