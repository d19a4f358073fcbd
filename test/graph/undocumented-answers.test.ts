/**
 * The client against answers Microsoft's documentation leaves open (README: "Where the docs are silent"): $select
 * refused with 500, an outer $batch status of 424/429, items answered out of order, fractional Retry-After, and a
 * nextLink that repeats. A scripted HTTPS server plays the service; the emulator's pessimistic profile covers the rest.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GraphClient } from "../../src/graph/client.js";
import { ServiceError } from "../../src/errors.js";
import type { TraitName } from "../../src/graph/service-traits.js";
import { CountingCredential, recordingSleep } from "../support/test-doubles.js";
import { json, startTestServer, type SeenRequest, type TestServer } from "../support/test-server.js";

const STAGED = "/deviceManagement/importedWindowsAutopilotDeviceIdentities";

interface SubRequest {
  id: string;
  method: string;
  url: string;
}

let server: TestServer;
let client: GraphClient;
let delays: number[];
let learned: Array<[TraitName, boolean]>;

beforeEach(async () => {
  server = await startTestServer();
  const recording = recordingSleep();
  delays = recording.delays;
  client = new GraphClient({ credential: new CountingCredential(), graphUrl: server.url, caCertificate: server.ca, sleep: recording.sleep, random: () => 0.5 });
  learned = [];
  client.traits.onLearn((name, value) => learned.push([name, value]));
});
afterEach(async () => {
  client.close();
  await server.close();
});

const subRequests = (seen: SeenRequest | undefined): SubRequest[] => (JSON.parse(seen?.body ?? "{}") as { requests: SubRequest[] }).requests;
const internalError = { error: { code: "InternalServerError", message: "An internal server error occurred." } };

describe("$select answered 500", () => {
  it("retries the call once without $select, then sends none for the rest of the run (learned once)", async () => {
    server.handle((request, response) => {
      if (request.url.includes("select")) return json(response, 500, internalError);
      json(response, 200, { value: [{ id: "a" }] });
    });
    const first = await client.request<{ value: unknown[] }>({ method: "GET", path: `${STAGED}?$top=10&$select=id,state` });
    expect(first.body.value).toHaveLength(1);
    const second = await client.request({ method: "GET", path: `${STAGED}?$select=id&$filter=${encodeURIComponent("importId eq 'x'")}` });
    expect(second.status).toBe(200);
    expect(server.seen.map((r) => decodeURIComponent(r.url))).toEqual([
      `/v1.0${STAGED}?$top=10&$select=id,state`,
      `/v1.0${STAGED}?$top=10`,
      `/v1.0${STAGED}?$filter=importId eq 'x'`,
    ]);
    expect(delays).toEqual([]); // no backoff wait spent on the optional query option
    expect(learned).toEqual([["selectWorks", false]]);
  });

  it("a 400 that is not about $select stays the caller's error, and $select is kept", async () => {
    server.handle((_request, response) => json(response, 400, { error: { code: "BadRequest", message: "Invalid filter clause" } }));
    await expect(client.request({ method: "GET", path: `${STAGED}?$select=id&$filter=x` })).rejects.toMatchObject({ status: 400 });
    expect(server.seen).toHaveLength(2);
    expect(client.traits.works("selectWorks")).toBe(true);
    expect(learned).toEqual([]);
  });

  it("inside $batch: the refused items go again at once without $select; later batches carry none", async () => {
    server.handle((request, response) =>
      json(response, 200, {
        responses: subRequests(request).map((item) =>
          item.url.includes("select") ? { id: item.id, status: 500, body: internalError } : { id: item.id, status: 200, body: { id: item.url.split("/").pop() } },
        ),
      }),
    );
    const results = await client.batch<{ id: string }>([0, 1].map((i) => ({ method: "GET", path: `${STAGED}/id${i}?$select=id,state` })));
    expect(results.map((r) => r.ok && r.response.body.id)).toEqual(["id0", "id1"]);
    await client.batch([{ method: "GET", path: `${STAGED}/id2?$select=id` }]);
    expect(server.seen.map((r) => subRequests(r).map((item) => item.url))).toEqual([
      [`${STAGED}/id0?$select=id,state`, `${STAGED}/id1?$select=id,state`],
      [`${STAGED}/id0`, `${STAGED}/id1`],
      [`${STAGED}/id2`],
    ]);
    expect(delays).toEqual([0]);
    expect(learned).toEqual([["selectWorks", false]]);
  });

  it("a trait restored from the journal applies from the first request", async () => {
    client.traits.restore(new Map([["selectWorks", false]]));
    server.handle((_request, response) => json(response, 200, { value: [] }));
    await client.request({ method: "GET", path: `${STAGED}?$select=id&$top=5` });
    expect(server.seen.map((r) => r.url)).toEqual([`/v1.0${STAGED}?$top=5`]);
    expect(learned).toEqual([]);
  });
});

describe("$batch with a non-2xx outer status", () => {
  it("424 with responses (Microsoft's throttling guide): items are read, the throttled ones retried after their Retry-After", async () => {
    let call = 0;
    server.handle((request, response) => {
      call += 1;
      const items = subRequests(request);
      const answers = items.map((item) =>
        call === 1 && item.id !== "0"
          ? { id: item.id, status: 429, headers: { "Retry-After": "1.5" }, body: { error: { code: "TooManyRequests", message: "slow down" } } }
          : { id: item.id, status: 200, body: { id: item.url.split("/").pop() } },
      );
      // Out of order, as the batching guide allows.
      json(response, call === 1 ? 424 : 200, { responses: answers.reverse() });
    });
    const results = await client.batch<{ id: string }>([0, 1, 2].map((i) => ({ method: "GET", path: `${STAGED}/id${i}` })));
    expect(results.map((r) => r.ok && r.response.body.id)).toEqual(["id0", "id1", "id2"]);
    expect(server.seen.map((r) => subRequests(r).length)).toEqual([3, 2]);
    expect(delays).toEqual([1500]);
  });

  it("429 or 503 for the whole call without responses: every item waits the outer Retry-After, none fails", async () => {
    let call = 0;
    server.handle((request, response) => {
      call += 1;
      if (call === 1) return json(response, 429, { error: { code: "TooManyRequests", message: "slow down" } }, { "retry-after": "2.128" });
      if (call === 2) return json(response, 503, { error: { code: "ServiceUnavailable", message: "busy" } });
      json(response, 200, { responses: subRequests(request).map((item) => ({ id: item.id, status: 204 })) });
    });
    const results = await client.batch([0, 1].map((i) => ({ method: "POST" as const, path: `${STAGED}/id${i}/x` })));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(server.seen).toHaveLength(3);
    expect(delays[0]).toBe(2128);
    expect(delays).toHaveLength(2);
  });

  it("an outer 424 without responses, again and again, ends as a throttling failure per item, not a fatal error", async () => {
    server.handle((_request, response) => json(response, 424, { error: { code: "FailedDependency", message: "throttled" } }));
    const limited = new GraphClient({ credential: new CountingCredential(), graphUrl: server.url, caCertificate: server.ca, sleep: recordingSleep().sleep, retry: { maxThrottleRetries: 2 } });
    try {
      const results = await limited.batch([{ method: "GET", path: `${STAGED}/id0` }]);
      expect(results[0]).toMatchObject({ ok: false, status: 429 });
      expect(server.seen).toHaveLength(3);
    } finally {
      limited.close();
    }
  });
});

describe("paging guards", () => {
  it("stops with a clear error when the service repeats a nextLink", async () => {
    server.handle((_request, response) => json(response, 200, { value: [{ id: "x" }], "@odata.nextLink": `${server.url}/v1.0${STAGED}?$skiptoken=same` }));
    const pages: number[] = [];
    const error = await (async () => {
      for await (const page of client.pages(STAGED)) pages.push(page.value.length);
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceError);
    expect((error as ServiceError).code).toBe("PagingLoop");
    expect((error as Error).message).toMatch(/same @odata.nextLink twice/);
    expect(pages).toEqual([1, 1]);
  });

  it("every listing has a page budget", async () => {
    let n = 0;
    server.handle((_request, response) => json(response, 200, { value: [], "@odata.nextLink": `${server.url}/v1.0${STAGED}?$skiptoken=${++n}` }));
    const error = await (async () => {
      for await (const _page of client.pages(STAGED, { maxPages: 3 })) void _page;
    })().catch((e: unknown) => e);
    expect((error as ServiceError).code).toBe("PageBudgetExceeded");
    expect(server.seen).toHaveLength(3);
  });
});
