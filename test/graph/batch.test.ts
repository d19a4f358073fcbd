import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GraphClient } from "../../src/graph/client.js";
import { GraphRequestError, OutcomeUnknownError } from "../../src/graph/errors/index.js";
import type { GraphRequest } from "../../src/graph/types.js";
import { CountingCredential, recordingSleep } from "../support/test-doubles.js";
import { json, startTestServer, type SeenRequest, type TestServer } from "../support/test-server.js";

const STAGED = "/deviceManagement/importedWindowsAutopilotDeviceIdentities";

interface SubRequest {
  id: string;
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
}

let server: TestServer;
let client: GraphClient;
let delays: number[];

beforeEach(async () => {
  server = await startTestServer();
  const recording = recordingSleep();
  delays = recording.delays;
  client = new GraphClient({
    credential: new CountingCredential(),
    graphUrl: server.url,
    caCertificate: server.ca,
    sleep: recording.sleep,
    random: () => 0.5,
  });
});
afterEach(async () => {
  client.close();
  await server.close();
});

const subRequests = (seen: SeenRequest | undefined): SubRequest[] => (JSON.parse(seen?.body ?? "{}") as { requests: SubRequest[] }).requests;
const gets = (n: number): GraphRequest[] => Array.from({ length: n }, (_, i) => ({ method: "GET", path: `${STAGED}/id${i}` }));

describe("GraphClient.batch", () => {
  it("retries only the items answered 429, honouring their own Retry-After", async () => {
    const calls: string[][] = [];
    server.handle((request, response) => {
      const items = subRequests(request);
      calls.push(items.map((item) => item.url));
      json(response, 200, {
        responses: items.map((item) =>
          item.url.endsWith("id1") && calls.length === 1
            ? { id: item.id, status: 429, headers: { "Retry-After": "7" }, body: { error: { code: "TooManyRequests", message: "wait" } } }
            : item.url.endsWith("id2") && calls.length <= 2
              ? { id: item.id, status: 503, headers: { "Retry-After": "2" } }
              : { id: item.id, status: 200, headers: { "Content-Type": "application/json" }, body: { id: item.url.split("/").pop() } },
        ),
      });
    });
    const results = await client.batch<{ id: string }>(gets(3));
    expect(results.map((r) => (r.ok ? r.response.body.id : r.status))).toEqual(["id0", "id1", "id2"]);
    expect(calls).toEqual([
      [`${STAGED}/id0`, `${STAGED}/id1`, `${STAGED}/id2`],
      [`${STAGED}/id1`, `${STAGED}/id2`],
      [`${STAGED}/id2`],
    ]);
    // The longest server-requested wait of the round, exactly.
    expect(delays).toEqual([7000, 2000]);
    expect(server.seen.every((r) => r.method === "POST" && r.url === "/v1.0/$batch")).toBe(true);
    expect(client.stats).toMatchObject({ attempts: 3, batchedRequests: 6, throttled: 3, batchByStatus: { "200": 3, "429": 1, "503": 2 } });
  });

  it("sends at most 20 per call and groups by API version", async () => {
    server.handle((request, response) =>
      json(response, 200, { responses: subRequests(request).map((item) => ({ id: item.id, status: 200, body: {} })) }),
    );
    const requests = [...gets(45), { method: "GET", path: "/deviceManagement/windowsAutopilotSettings", version: "beta" } as const];
    const results = await client.batch(requests);
    expect(results).toHaveLength(46);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(server.seen.map((r) => [r.url, subRequests(r).length])).toEqual([
      ["/v1.0/$batch", 20],
      ["/v1.0/$batch", 20],
      ["/v1.0/$batch", 5],
      ["/beta/$batch", 1],
    ]);
  });

  it("returns item failures as data: a 404 is not retried, a 500 to a POST is an unknown outcome", async () => {
    server.handle((request, response) =>
      json(response, 200, {
        responses: subRequests(request).map((item) =>
          item.method === "POST"
            ? { id: item.id, status: 500, body: { error: { code: "InternalError", message: "boom" } } }
            : { id: item.id, status: 404, body: { error: { code: "ResourceNotFound", message: "gone" } } },
        ),
      }),
    );
    const results = await client.batch([
      { method: "GET", path: `${STAGED}/gone` },
      { method: "POST", path: STAGED, body: { serialNumber: "SN1" } },
    ]);
    const [missing, posted] = results;
    expect(missing).toMatchObject({ ok: false, status: 404 });
    expect(!missing?.ok && missing?.error).toBeInstanceOf(GraphRequestError);
    expect(!missing?.ok && missing?.error).toMatchObject({ graphCode: "ResourceNotFound" });
    expect(!posted?.ok && posted?.error).toBeInstanceOf(OutcomeUnknownError);
    expect(server.seen).toHaveLength(1);
    const sent = subRequests(server.seen[0]);
    expect(sent[1]).toEqual({
      id: "1",
      method: "POST",
      url: STAGED,
      headers: { "content-type": "application/json" },
      body: { serialNumber: "SN1" },
    });
  });

  it("a failed $batch call fails each of its items, not the whole run", async () => {
    server.handle((_request, response) => json(response, 400, { error: { code: "BadRequest", message: "Invalid batch payload" } }));
    const results = await client.batch(gets(2));
    expect(results.map((r) => r.ok)).toEqual([false, false]);
    expect(results.map((r) => (r.ok ? 0 : r.status))).toEqual([400, 400]);
  });

  it("validates the batch size", async () => {
    await expect(client.batch(gets(1), { batchSize: 21 })).rejects.toThrow(/1 to 20/);
  });
});
