import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AuthenticationError } from "../../src/errors.js";
import { GraphClient, type GraphClientOptions } from "../../src/graph/client.js";
import { GraphNetworkError, GraphRequestError, OutcomeUnknownError } from "../../src/graph/errors/index.js";
import { sleep as realSleep } from "../../src/util/abort.js";
import { VERSION } from "../../src/version.js";
import { createLogger } from "../../src/log.js";
import { Writable } from "node:stream";
import { CountingCredential, bearer, recordingSleep } from "../support/test-doubles.js";
import { freePort, json, startTestServer, type TestServer } from "../support/test-server.js";

const STAGED = "/deviceManagement/importedWindowsAutopilotDeviceIdentities";
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

function makeClient(options: Partial<GraphClientOptions> = {}): GraphClient {
  const client = new GraphClient({
    credential: new CountingCredential(),
    graphUrl: server.url,
    caCertificate: server.ca,
    random: () => 0.5,
    retry: { baseDelayMs: 1000, maxDelayMs: 8000 },
    ...options,
  });
  clients.push(client);
  return client;
}

/** Lets any resend that would wrongly happen reach the server before asserting it did not. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 100));

describe("GraphClient.request", () => {
  it("sends the token, User-Agent and a client-request-id, and parses the answer", async () => {
    server.handle((_request, response) => json(response, 200, { id: "1" }, { "request-id": "svc-1" }));
    const response = await makeClient().request<{ id: string }>({ method: "GET", path: `${STAGED}/1` });
    expect(response).toMatchObject({ status: 200, body: { id: "1" }, requestId: "svc-1" });
    const [seen] = server.seen;
    expect(seen?.url).toBe(`/v1.0${STAGED}/1`);
    expect(seen?.headers.authorization).toBe("Bearer token-1");
    expect(seen?.headers["user-agent"]).toBe(`autopilot-import/${VERSION}`);
    expect(seen?.headers["client-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("sends JSON bodies to the beta endpoint when asked", async () => {
    server.handle((_request, response) => json(response, 201, { id: "new" }));
    await makeClient().request({ method: "POST", path: STAGED, version: "beta", body: { serialNumber: "SN1" } });
    expect(server.seen[0]).toMatchObject({ method: "POST", url: `/beta${STAGED}` });
    expect(JSON.parse(server.seen[0]!.body)).toEqual({ serialNumber: "SN1" });
    expect(server.seen[0]!.headers["content-type"]).toBe("application/json");
  });

  it("honours 429 Retry-After exactly and keeps the client-request-id across retries", async () => {
    const { sleep, delays } = recordingSleep();
    const throttle: string[] = [];
    server.handle((_request, response) =>
      server.seen.length <= 2 ? json(response, 429, { error: { code: "TooManyRequests", message: "slow down" } }, { "retry-after": "3" }) : json(response, 200, {}),
    );
    const client = makeClient({
      sleep,
      random: () => 0.99,
      throttleObserver: { onThrottle: () => throttle.push("throttle"), onSuccess: () => throttle.push("ok") },
    });
    await client.request({ method: "POST", path: `${STAGED}/import`, body: { importedWindowsAutopilotDeviceIdentities: [] } });
    expect(delays).toEqual([3000, 3000]);
    expect(server.seen).toHaveLength(3);
    expect(new Set(server.seen.map((r) => r.headers["client-request-id"])).size).toBe(1);
    expect(throttle).toEqual(["throttle", "throttle", "ok"]);
    expect(client.stats).toMatchObject({ requests: 1, attempts: 3, throttled: 2, retries: 2, byStatus: { "200": 1, "429": 2 } });
  });

  it("honours an HTTP-date Retry-After against the injected clock", async () => {
    const { sleep, delays } = recordingSleep();
    const now = Date.UTC(2026, 0, 15, 12, 0, 0);
    server.handle((_request, response) =>
      server.seen.length === 1 ? json(response, 503, undefined, { "retry-after": "Thu, 15 Jan 2026 12:00:09 GMT" }) : json(response, 200, {}),
    );
    await makeClient({ sleep, now: () => now }).request({ method: "GET", path: STAGED });
    expect(delays).toEqual([9000]);
  });

  it("backs off exponentially with jitter on 503 without Retry-After", async () => {
    const { sleep, delays } = recordingSleep();
    server.handle((_request, response) => (server.seen.length <= 3 ? json(response, 503) : json(response, 200, {})));
    await makeClient({ sleep, random: () => 0.5 }).request({ method: "GET", path: STAGED });
    expect(delays).toEqual([500, 1000, 2000]);
  });

  it("logs retries through the pino logger without the token", async () => {
    let logged = "";
    const destination = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        logged += chunk.toString();
        callback();
      },
    });
    const { sleep } = recordingSleep();
    server.handle((_request, response) => (server.seen.length === 1 ? json(response, 502) : json(response, 200, {})));
    await makeClient({ sleep, logger: createLogger({ destination, level: "debug" }) }).request({ method: "GET", path: STAGED });
    await new Promise((resolve) => setImmediate(resolve));
    expect(logged).toContain("retrying Graph request");
    expect(logged).toContain('"status":502');
    expect(logged).not.toContain("token-1");
  });

  it("gives up after maxAttempts with the last status", async () => {
    const { sleep } = recordingSleep();
    server.handle((_request, response) => json(response, 500, { error: { code: "InternalError", message: "oops" } }));
    const error = await makeClient({ sleep, retry: { maxAttempts: 3 } })
      .request({ method: "GET", path: STAGED })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphRequestError);
    expect(error).toMatchObject({ status: 500, graphCode: "InternalError" });
    expect(server.seen).toHaveLength(3);
  });

  it("retries a GET whose connection was reset", async () => {
    const { sleep } = recordingSleep();
    server.handle((_request, response, raw) => (server.seen.length === 1 ? raw.socket.destroy() : json(response, 200, { ok: true })));
    const response = await makeClient({ sleep }).request({ method: "GET", path: STAGED });
    expect(response.body).toEqual({ ok: true });
    expect(server.seen).toHaveLength(2);
  });

  it("does not resend a POST whose connection was reset after sending", async () => {
    const { sleep, delays } = recordingSleep();
    server.handle((_request, _response, raw) => raw.socket.destroy());
    const error = await makeClient({ sleep })
      .request({ method: "POST", path: `${STAGED}/import`, body: { importedWindowsAutopilotDeviceIdentities: [] } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutcomeUnknownError);
    expect((error as OutcomeUnknownError).clientRequestId).toBe(server.seen[0]!.headers["client-request-id"]);
    await settle();
    expect(server.seen).toHaveLength(1);
    expect(delays).toEqual([]);
  });

  it("resends a POST marked idempotent after a reset", async () => {
    const { sleep } = recordingSleep();
    server.handle((_request, response, raw) => (server.seen.length === 1 ? raw.socket.destroy() : json(response, 201, {})));
    await makeClient({ sleep }).request({ method: "POST", path: STAGED, body: {}, idempotent: true });
    expect(server.seen).toHaveLength(2);
  });

  it("retries a POST refused before sending (nothing listening yet)", async () => {
    await server.close();
    const port = await freePort();
    let started: TestServer | undefined;
    const client = makeClient({
      graphUrl: `https://127.0.0.1:${port}`,
      // The first backoff wait brings the server up: the retry finds it.
      sleep: async () => {
        started = await startTestServer({ port });
        started.handle((_request, response) => json(response, 200, { value: [] }));
      },
    });
    server = await startTestServer(); // keep afterEach's close() meaningful
    try {
      const response = await client.request({ method: "POST", path: `${STAGED}/import`, body: {} });
      expect(response.status).toBe(200);
      expect(started?.seen).toHaveLength(1);
    } finally {
      await started?.close();
    }
  });

  it("times out each attempt and retries a GET", async () => {
    const { sleep } = recordingSleep();
    server.handle((_request, response) => {
      if (server.seen.length === 1) return; // never answers
      json(response, 200, { late: false });
    });
    const response = await makeClient({ sleep, timeoutMs: 300 }).request({ method: "GET", path: STAGED });
    expect(response.body).toEqual({ late: false });
    expect(server.seen).toHaveLength(2);
  });

  it("a timed-out POST is an unknown outcome and is not resent", async () => {
    const { sleep } = recordingSleep();
    server.handle(() => undefined);
    const started = Date.now();
    const error = await makeClient({ sleep, timeoutMs: 300 })
      .request({ method: "POST", path: `${STAGED}/import`, body: {} })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutcomeUnknownError);
    expect((error as Error).message).toContain("no answer within 300 ms");
    expect(Date.now() - started).toBeLessThan(5000);
    await settle();
    expect(server.seen).toHaveLength(1);
  });

  it("a 504 to a POST is an unknown outcome", async () => {
    server.handle((_request, response) => json(response, 504));
    const error = await makeClient().request({ method: "POST", path: `${STAGED}/import`, body: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutcomeUnknownError);
    expect(error).toMatchObject({ status: 504 });
    expect(server.seen).toHaveLength(1);
  });

  it("on 401 refreshes the token once (from a fresh credential) and retries", async () => {
    const built: CountingCredential[] = [];
    server.handle((request, response) =>
      bearer(request.headers) === "cred1-1" ? json(response, 401, { error: { code: "InvalidAuthenticationToken", message: "expired" } }) : json(response, 200, {}),
    );
    const client = makeClient({
      credential: () => {
        const credential = new CountingCredential(`cred${built.length + 1}`);
        built.push(credential);
        return credential;
      },
    });
    await client.request({ method: "POST", path: `${STAGED}/import`, body: {} });
    expect(server.seen.map((r) => bearer(r.headers))).toEqual(["cred1-1", "cred2-1"]);
    expect(client.stats.tokenRefreshes).toBe(1);
  });

  it("a second 401 is an authentication failure", async () => {
    server.handle((_request, response) => json(response, 401, { error: { code: "InvalidAuthenticationToken", message: "no" } }));
    const error = await makeClient().request({ method: "GET", path: STAGED }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(server.seen).toHaveLength(2);
  });

  it("stops when the run is aborted during a backoff wait", async () => {
    const controller = new AbortController();
    server.handle((_request, response) => {
      json(response, 503);
      setTimeout(() => controller.abort(new Error("run stopped")), 50);
    });
    const client = makeClient({ signal: controller.signal, sleep: realSleep, retry: { baseDelayMs: 60_000, maxDelayMs: 60_000 } });
    const started = Date.now();
    await expect(client.request({ method: "GET", path: STAGED })).rejects.toThrow("run stopped");
    expect(Date.now() - started).toBeLessThan(5000);
    await settle();
    expect(server.seen).toHaveLength(1);
  });

  it("stops when the run is aborted during an attempt, without calling it a timeout", async () => {
    const controller = new AbortController();
    server.handle(() => {
      setTimeout(() => controller.abort(new Error("run stopped")), 50);
    });
    const client = makeClient({ signal: controller.signal, timeoutMs: 30_000 });
    await expect(client.request({ method: "GET", path: STAGED })).rejects.toThrow("run stopped");
    await settle();
    expect(server.seen).toHaveLength(1);
  });

  it("a request's own signal stops it too", async () => {
    const controller = new AbortController();
    controller.abort(new Error("caller gave up"));
    await expect(makeClient().request({ method: "GET", path: STAGED, signal: controller.signal })).rejects.toThrow("caller gave up");
    expect(server.seen).toHaveLength(0);
  });

  it("reports Graph's error code, message and request-id, and hides the exchange from serialization", async () => {
    server.handle((_request, response) =>
      json(response, 400, {
        error: {
          code: "BadRequest",
          message: "Cannot convert the literal 'abc' to the expected type 'Edm.Binary'.",
          innerError: { "request-id": "inner-1", date: "2026-01-15T12:00:00" },
        },
      }),
    );
    const error = (await makeClient()
      .request({ method: "POST", path: `${STAGED}/import`, body: { secret: "device-body" } })
      .catch((e: unknown) => e)) as GraphRequestError;
    expect(error).toBeInstanceOf(GraphRequestError);
    expect(error).toMatchObject({ status: 400, code: "BadRequest", graphCode: "BadRequest", requestId: "inner-1" });
    expect(error.message).toContain("Edm.Binary");
    expect(error.message).toContain(`POST /v1.0${STAGED}/import`);
    expect(error.message).not.toContain("device-body");
    expect(error.response.status).toBe(400);
    expect(Object.keys(error)).not.toContain("request");
    expect(Object.keys(error)).not.toContain("response");
    expect(JSON.stringify(error)).not.toContain("token-1");
    expect(error.request.headers).not.toHaveProperty("authorization");
  });

  it("fails fast on an untrusted certificate", async () => {
    server.handle((_request, response) => json(response, 200, {}));
    const error = await makeClient({ caCertificate: undefined }).request({ method: "GET", path: STAGED }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphNetworkError);
    expect((error as GraphNetworkError).networkCode).toMatch(/CERT|SELF_SIGNED/);
    expect(server.seen).toHaveLength(0);
  });

  it("rejects a relative path without a leading slash", () => {
    expect(() => makeClient().urlFor("deviceManagement")).toThrow(/must start with/);
  });
});

describe("GraphClient.pages", () => {
  it("follows @odata.nextLink until the last page", async () => {
    server.handle((request, response) => {
      const page = Number(new URL(request.url, server.url).searchParams.get("page") ?? "1");
      json(response, 200, {
        value: [{ id: `a${page}` }, { id: `b${page}` }],
        ...(page < 3 ? { "@odata.nextLink": `${server.url}/v1.0${STAGED}?page=${page + 1}` } : {}),
      });
    });
    const client = makeClient();
    const pages: string[][] = [];
    for await (const page of client.pages<{ id: string }>(`${STAGED}?$top=2`)) pages.push(page.value.map((d) => d.id));
    expect(pages).toEqual([["a1", "b1"], ["a2", "b2"], ["a3", "b3"]]);
    const ids: string[] = [];
    for await (const item of client.items<{ id: string }>(STAGED)) ids.push(item.id);
    expect(ids).toHaveLength(6);
    expect(server.seen[0]!.url).toBe(`/v1.0${STAGED}?$top=2`);
  });

  it("refuses a nextLink to another host (it would get our token)", async () => {
    server.handle((_request, response) => json(response, 200, { value: [], "@odata.nextLink": "https://evil.example/v1.0/x" }));
    const pages = makeClient().pages(STAGED);
    await pages.next();
    await expect(pages.next()).rejects.toThrow(/refusing to follow/);
    expect(server.seen).toHaveLength(1);
  });
});
