import { describe, expect, it } from "vitest";
import type { ScenarioInput } from "../../src/emulator/index.js";
import { QUIET, REGISTERED, STAGED, device, startClient, type GraphErrorShape, type Page, type Staged, type TestClient } from "../support/emulator-client.js";

/** The `service` knobs of $batch answers and of how a throttling 429 states its wait. */

interface BatchItemReply {
  readonly id: string;
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body?: unknown;
}

interface BatchReply {
  readonly responses: BatchItemReply[];
}

/** Two writes per 20 s window: the third write in a batch or in a row is throttled. */
const TWO_WRITES: ScenarioInput = { ...QUIET, throttling: { enabled: true, writesPerWindow: 2, requestsPerWindow: 1000 } };
const FRACTIONAL = /^\d+\.\d{3}$/;

const postItem = (id: string) => ({
  id,
  method: "POST",
  url: "/deviceManagement/importedWindowsAutopilotDeviceIdentities",
  headers: { "content-type": "application/json" },
  body: device(`BQ-${id}`),
});

async function throttledBatch(client: TestClient): Promise<{ status: number; body: BatchReply }> {
  const requests = [postItem("1"), postItem("2"), postItem("3"), postItem("4"), { id: "5", method: "GET", url: "/deviceManagement/importedWindowsAutopilotDeviceIdentities" }];
  return client.request<BatchReply>("POST", "/v1.0/$batch", { body: { requests } });
}

describe("service.batchThrottledStatus", () => {
  it("200 (default): a batch with throttled items answers 200", async () => {
    const client = await startClient(TWO_WRITES);
    const reply = await throttledBatch(client);
    expect(reply.status).toBe(200);
    expect(reply.body.responses.map((item) => item.status)).toEqual([201, 201, 429, 429, 200]);
  });

  it("424: the batch answers 424 with every item's real answer in `responses`; an unthrottled batch still answers 200", async () => {
    const client = await startClient({ ...TWO_WRITES, service: { batchThrottledStatus: 424 } });
    const reply = await throttledBatch(client);
    expect(reply.status).toBe(424);
    expect(reply.body.responses.map((item) => [item.id, item.status])).toEqual([["1", 201], ["2", 201], ["3", 429], ["4", 429], ["5", 200]]);
    expect((reply.body.responses[0]?.body as Staged).serialNumber).toBe("BQ-1");
    expect((reply.body.responses[2]?.body as GraphErrorShape).error.code).toBe("TooManyRequests");
    expect((reply.body.responses[4]?.body as Page<Staged>).value.map((record) => record.serialNumber)).toEqual(["BQ-1", "BQ-2"]);
    expect(client.emulator.stats().requests.byRoute["POST /v1.0/$batch"]).toEqual({ "424": 1 });
    const calm = await client.request<BatchReply>("POST", "/v1.0/$batch", { body: { requests: [{ id: "1", method: "GET", url: "/deviceManagement/windowsAutopilotDeviceIdentities" }] } });
    expect(calm.status).toBe(200);
  });
});

describe("service.batchShuffle", () => {
  async function getEach(scenario: ScenarioInput): Promise<{ order: string[]; matched: boolean }> {
    const client = await startClient(scenario);
    const imported = await client.request<{ value: Staged[] }>("POST", `${STAGED}/import`, {
      body: { importedWindowsAutopilotDeviceIdentities: Array.from({ length: 12 }, (_, index) => device(`SH${index}`)) },
    });
    const ids = imported.body.value.map((record) => record.id);
    const requests = ids.map((id, index) => ({ id: String(index), method: "GET", url: `/deviceManagement/importedWindowsAutopilotDeviceIdentities/${id}` }));
    const reply = await client.request<BatchReply>("POST", "/v1.0/$batch", { body: { requests } });
    expect(reply.status).toBe(200);
    const matched = reply.body.responses.every((item) => item.status === 200 && (item.body as Staged).id === ids[Number(item.id)]);
    return { order: reply.body.responses.map((item) => item.id), matched };
  }

  const inOrder = Array.from({ length: 12 }, (_, index) => String(index));

  it("false (default): responses come back in request order", async () => {
    expect(await getEach(QUIET)).toEqual({ order: inOrder, matched: true });
  });

  it("true: responses come back shuffled, each still matching its request by id, in the same order for the same seed", async () => {
    const first = await getEach({ ...QUIET, seed: 5, service: { batchShuffle: true } });
    expect(first.matched).toBe(true);
    expect(first.order).not.toEqual(inOrder);
    expect([...first.order].sort((a, b) => Number(a) - Number(b))).toEqual(inOrder);
    expect((await getEach({ ...QUIET, seed: 5, service: { batchShuffle: true } })).order).toEqual(first.order);
  });
});

describe("service.retryAfter", () => {
  /** Writes until `count` answers were throttled; returns their Retry-After headers (undefined: none). */
  async function throttledWaits(client: TestClient, count: number): Promise<(string | undefined)[]> {
    const waits: (string | undefined)[] = [];
    for (let index = 0; waits.length < count; index += 1) {
      const reply = await client.request("POST", STAGED, { body: device(`RA${index}`) });
      if (reply.status === 429) waits.push(reply.headers["retry-after"] as string | undefined);
    }
    return waits;
  }

  async function batchItemWait(client: TestClient): Promise<BatchItemReply> {
    const reply = await client.request<BatchReply>("POST", "/v1.0/$batch", { body: { requests: [postItem("9")] } });
    expect(reply.body.responses[0]?.status).toBe(429);
    return reply.body.responses[0] as BatchItemReply;
  }

  it("seconds (default): whole seconds, at least 1, top level and in $batch", async () => {
    const client = await startClient(TWO_WRITES);
    const [wait] = await throttledWaits(client, 1);
    expect(wait).toMatch(/^\d+$/);
    expect(Number(wait)).toBeGreaterThanOrEqual(9);
    expect(Number(wait)).toBeLessThanOrEqual(10);
    expect((await batchItemWait(client)).headers["Retry-After"]).toMatch(/^\d+$/);
  });

  it("fractional: a decimal number of seconds with three decimals, the real wait, top level and in $batch", async () => {
    const client = await startClient({ ...TWO_WRITES, service: { retryAfter: "fractional" } });
    const [wait] = await throttledWaits(client, 1);
    expect(wait).toMatch(FRACTIONAL);
    // One write token comes back every 10 s (emulated = real at speed 1): the wait is just under 10 s.
    expect(Number.parseFloat(wait ?? "")).toBeGreaterThan(9);
    expect(Number.parseFloat(wait ?? "")).toBeLessThanOrEqual(10);
    expect((await batchItemWait(client)).headers["Retry-After"]).toMatch(FRACTIONAL);
    // Real time: ten times faster clock, ten times shorter wait.
    client.emulator.setScenario({ clock: { speed: 10 } });
    const [faster] = await throttledWaits(client, 1);
    expect(Number.parseFloat(faster ?? "")).toBeLessThanOrEqual(1);
    expect(Number.parseFloat(faster ?? "")).toBeGreaterThan(0);
  });

  it("none: no Retry-After header, top level and in $batch; the 429 is otherwise unchanged", async () => {
    const client = await startClient({ ...TWO_WRITES, service: { retryAfter: "none" } });
    expect(await throttledWaits(client, 3)).toEqual([undefined, undefined, undefined]);
    const throttled = await client.request<GraphErrorShape>("POST", STAGED, { body: device("RA-none") });
    expect(throttled.status).toBe(429);
    expect(throttled.body.error.code).toBe("TooManyRequests");
    expect((await batchItemWait(client)).headers).not.toHaveProperty("Retry-After");
  });

  it("mixed: each 429 is fractional or has no header, both occur, and the sequence repeats for the same seed", async () => {
    const scenario: ScenarioInput = { ...TWO_WRITES, seed: 11, service: { retryAfter: "mixed" } };
    const waits = await throttledWaits(await startClient(scenario), 16);
    for (const wait of waits) if (wait !== undefined) expect(wait).toMatch(FRACTIONAL);
    expect(waits.some((wait) => wait === undefined)).toBe(true);
    expect(waits.some((wait) => wait !== undefined)).toBe(true);
    const again = await throttledWaits(await startClient(scenario), 16);
    expect(again.map((wait) => wait === undefined)).toEqual(waits.map((wait) => wait === undefined));
  });

  it("does not change the sync's own 429 (sync.retryAfterOn429 decides that)", async () => {
    const client = await startClient({ ...QUIET, service: { retryAfter: "fractional" }, sync: { retryAfterOn429: true } });
    const sync = "/beta/deviceManagement/windowsAutopilotSettings/sync";
    expect((await client.request("POST", sync)).status).toBe(204);
    client.emulator.clock.advance(120_000);
    const tooSoon = await client.request("POST", sync);
    expect(tooSoon.status).toBe(429);
    expect(tooSoon.headers["retry-after"]).toMatch(/^\d+$/);
    expect((await client.request("GET", REGISTERED)).status).toBe(200);
  });
});
