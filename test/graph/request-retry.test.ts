import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { UsageError } from "../../src/errors.js";
import { GraphClient } from "../../src/graph/client.js";
import { GraphRequestError } from "../../src/graph/errors/index.js";
import { DEFAULT_RETRY_OPTIONS, mergeRetryOptions } from "../../src/graph/retry/policy.js";
import { CountingCredential, recordingSleep } from "../support/test-doubles.js";
import { json, startTestServer, type TestServer } from "../support/test-server.js";

const SYNC = "/deviceManagement/windowsAutopilotSettings/sync";
const tooSoon = { error: { code: "TooManyRequests", message: "Sync can only be requested once every 10 minutes." } };

let server: TestServer;
let client: GraphClient;
let delays: number[];

beforeEach(async () => {
  server = await startTestServer();
  const recording = recordingSleep();
  delays = recording.delays;
  client = new GraphClient({ credential: new CountingCredential(), graphUrl: server.url, caCertificate: server.ca, sleep: recording.sleep, random: () => 0.5 });
});
afterEach(async () => {
  client.close();
  await server.close();
});

describe("per-request retry options", () => {
  it("maxThrottleRetries: 0 hands a 429 straight back, Retry-After and all, after one attempt", async () => {
    server.handle((_request, response) => json(response, 429, tooSoon, { "retry-after": "300" }));
    const error = await client
      .request({ method: "POST", path: SYNC, version: "beta", retry: { maxThrottleRetries: 0 } })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(GraphRequestError);
    expect((error as GraphRequestError).status).toBe(429);
    expect((error as GraphRequestError).response.headers["retry-after"]).toBe("300");
    expect(server.seen).toHaveLength(1);
    expect(delays).toEqual([]);
  });

  it("leaves the client's own limits in force for other requests", async () => {
    server.handle((_request, response) => (server.seen.length === 1 ? json(response, 429, tooSoon, { "retry-after": "2" }) : json(response, 204)));
    await client.request({ method: "POST", path: SYNC, version: "beta" });
    expect(server.seen).toHaveLength(2);
    expect(delays).toEqual([2000]);
  });

  it("applies per item inside a batch", async () => {
    server.handle((request, response) => {
      const items = (JSON.parse(request.body) as { requests: Array<{ id: string }> }).requests;
      json(response, 200, {
        responses: items.map((item) =>
          server.seen.length === 1 ? { id: item.id, status: 429, headers: { "Retry-After": "1" }, body: tooSoon } : { id: item.id, status: 200, body: { id: item.id } },
        ),
      });
    });
    const results = await client.batch([
      { method: "GET", path: "/deviceManagement/windowsAutopilotDeviceIdentities/a", retry: { maxThrottleRetries: 0 } },
      { method: "GET", path: "/deviceManagement/windowsAutopilotDeviceIdentities/b" },
    ]);
    expect(results.map((result) => (result.ok ? "ok" : result.status))).toEqual([429, "ok"]);
    expect(server.seen).toHaveLength(2);
    expect(delays).toEqual([1000]);
  });

  it("validates overrides like the client's options", async () => {
    expect(mergeRetryOptions(DEFAULT_RETRY_OPTIONS, { maxThrottleRetries: 0, maxAttempts: undefined })).toEqual({ ...DEFAULT_RETRY_OPTIONS, maxThrottleRetries: 0 });
    expect(mergeRetryOptions(DEFAULT_RETRY_OPTIONS, undefined)).toBe(DEFAULT_RETRY_OPTIONS);
    await expect(client.request({ method: "GET", path: SYNC, retry: { maxAttempts: 0 } })).rejects.toThrow(UsageError);
  });
});
