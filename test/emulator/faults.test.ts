import { describe, expect, it } from "vitest";
import { QUIET, STAGED, device, startClient, type GraphErrorShape } from "../support/emulator-client.js";
import type { ScenarioInput } from "../../src/emulator/index.js";

const faulty = (faults: ScenarioInput["faults"]): ScenarioInput => ({ ...QUIET, faults });

describe("faults", () => {
  it("503 without Retry-After, never applied", async () => {
    const client = await startClient(faulty({ status503: { rate: 1 } }));
    const reply = await client.request<GraphErrorShape>("POST", STAGED, { body: device("F503") });
    expect(reply.status).toBe(503);
    expect(reply.headers["retry-after"]).toBeUndefined();
    expect(reply.body.error.code).toBe("ServiceUnavailable");
    expect(reply.headers["request-id"]).toBeDefined();
    expect(client.emulator.stats().devices.stagedCreated).toBe(0);
  });

  it("503 with Retry-After", async () => {
    const client = await startClient(faulty({ status503RetryAfter: { rate: 1, retryAfterSeconds: 7 } }));
    const reply = await client.request("GET", STAGED);
    expect(reply.status).toBe(503);
    expect(reply.headers["retry-after"]).toBe("7");
  });

  it("504 after the request took effect: the device is staged although the client saw a timeout", async () => {
    const client = await startClient(faulty({ status504: { rate: 1, tookEffectRatio: 1 } }));
    const reply = await client.request("POST", STAGED, { body: device("F504"), headers: { "client-request-id": "attempt-1" } });
    expect(reply.status).toBe(504);
    const stats = client.emulator.stats();
    expect(stats.devices.stagedCreated).toBe(1);
    expect(stats.faulted.timeouts).toEqual({ total: 1, tookEffect: 1, noEffect: 0 });
    expect(stats.faulted.recent[0]).toMatchObject({ kind: "504", tookEffect: true, appliedStatus: 201, clientRequestId: "attempt-1", method: "POST" });
  });

  it("connection reset before the effect: the client gets ECONNRESET and nothing is staged", async () => {
    const client = await startClient(faulty({ reset: { rate: 1, tookEffectRatio: 0 } }));
    const failure = await client.request("POST", STAGED, { body: device("FR0") }).catch((error: NodeJS.ErrnoException) => error);
    expect((failure as NodeJS.ErrnoException).code).toBe("ECONNRESET");
    const stats = client.emulator.stats();
    expect(stats.devices.stagedCreated).toBe(0);
    expect(stats.faulted.resets).toEqual({ total: 1, tookEffect: 0, noEffect: 1 });
    expect(stats.requests.byRoute["POST /v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities"]).toEqual({ reset: 1 });
  });

  it("connection reset after the effect: staged, and the stats say it took effect", async () => {
    const client = await startClient(faulty({ reset: { rate: 1, tookEffectRatio: 1 } }));
    const failure = await client.request("POST", `${STAGED}/import`, { body: { importedWindowsAutopilotDeviceIdentities: [device("FR1")] } }).catch((error: NodeJS.ErrnoException) => error);
    expect((failure as NodeJS.ErrnoException).code).toBe("ECONNRESET");
    const stats = client.emulator.stats();
    expect(stats.devices.stagedCreated).toBe(1);
    expect(stats.submissions.bySerial).toEqual({ FR1: 1 });
    expect(stats.faulted.resets).toEqual({ total: 1, tookEffect: 1, noEffect: 0 });
    expect(stats.faulted.recent[0]).toMatchObject({ kind: "reset", tookEffect: true, appliedStatus: 200 });
  });

  it("adds latency", async () => {
    const client = await startClient(faulty({ latency: { rate: 1, minMs: 150, maxMs: 150 } }));
    const started = performance.now();
    expect((await client.request("GET", STAGED)).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(client.emulator.stats().faulted.latency).toBe(1);
  });

  it("is reproducible from the seed, and leaves state consistent under a mix", async () => {
    const mix = faulty({ status503: { rate: 0.2 }, status504: { rate: 0.2, tookEffectRatio: 0.5 }, reset: { rate: 0.2, tookEffectRatio: 0.5 } });
    const run = async (): Promise<string[]> => {
      const client = await startClient({ ...mix, seed: 42 });
      const outcomes: string[] = [];
      for (let index = 0; index < 40; index += 1) {
        const reply = await client.request("POST", STAGED, { body: device(`MX${index}`) }).catch(() => undefined);
        outcomes.push(reply ? String(reply.status) : "reset");
      }
      const stats = client.emulator.stats();
      const applied = stats.faulted.recent.filter((fault) => fault.tookEffect).length;
      // Every staged record is either a 201 the client saw or a fault that took effect.
      expect(stats.devices.stagedCreated).toBe(outcomes.filter((outcome) => outcome === "201").length + applied);
      return outcomes;
    };
    const first = await run();
    expect(new Set(first).size).toBeGreaterThan(2);
    expect(await run()).toEqual(first);
  });
});
