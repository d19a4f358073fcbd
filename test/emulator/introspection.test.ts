import https from "node:https";
import { describe, expect, it } from "vitest";
import type { EmulatorStats } from "../../src/emulator/index.js";
import { STAGED, device, rawRequest, startClient } from "../support/emulator-client.js";

describe("introspection (/_emulator)", () => {
  it("GET stats counts requests by route and status, devices and submissions per serial", async () => {
    const client = await startClient();
    await client.request("POST", `${STAGED}/import`, { body: { importedWindowsAutopilotDeviceIdentities: [device("I1"), device("I2")] } });
    await client.request("POST", STAGED, { body: device("I1") });
    await client.request("GET", `${STAGED}/nope`);
    const reply = await rawRequest<EmulatorStats>(client.agent, "GET", `${client.emulator.graphUrl}/_emulator/stats`, {});
    expect(reply.status).toBe(200);
    const stats = reply.body;
    expect(stats.requests.byRoute).toEqual({
      "POST /v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities/import": { "200": 1 },
      "POST /v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities": { "201": 1 },
      "GET /v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities/{id}": { "404": 1 },
    });
    expect(stats.requests.byStatus).toEqual({ "200": 1, "201": 1, "404": 1 });
    expect(stats.submissions).toEqual({ total: 3, bySerial: { I1: 2, I2: 1 }, serialsSubmittedMoreThanOnce: ["I1"] });
    expect(stats.devices).toMatchObject({ staged: 3, stagedByStatus: { unknown: 3 }, registered: 0 });
    client.emulator.clock.advance(60_000);
    expect(client.emulator.stats().devices).toMatchObject({ registered: 2, outcomes: { complete: 2, ZtdDeviceAlreadyAssigned: 1 } });
  });

  it("POST reset empties the tenant and the counters, keeps tokens and re-seeds registered devices", async () => {
    const client = await startClient({ tenant: { registeredDevices: [{ serialNumber: "KEEP" }] }, throttling: { enabled: false } });
    await client.request("POST", STAGED, { body: device("R1") });
    const reply = await rawRequest(client.agent, "POST", `${client.emulator.graphUrl}/_emulator/reset`, {});
    expect(reply.status).toBe(204);
    const stats = client.emulator.stats();
    expect(stats.requests.total).toBe(0);
    expect(stats.devices).toMatchObject({ staged: 0, registered: 1 });
    expect((await client.request("GET", STAGED)).status).toBe(200);
  });

  it("GET/PATCH scenario and GET/POST clock", async () => {
    const client = await startClient();
    const base = client.emulator.graphUrl;
    const patch = await rawRequest<{ clock: { speed: number } }>(client.agent, "PATCH", `${base}/_emulator/scenario`, { "content-type": "application/json" }, JSON.stringify({ clock: { speed: 5 } }));
    expect(patch.status).toBe(200);
    expect(patch.body.clock.speed).toBe(5);
    expect(client.emulator.clock.speed).toBe(5);
    const bad = await rawRequest<{ error: { message: string } }>(client.agent, "PATCH", `${base}/_emulator/scenario`, {}, JSON.stringify({ clock: { speed: -1 } }));
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain("clock.speed");
    const before = client.emulator.clock.now().getTime();
    const advanced = await rawRequest<{ now: string }>(client.agent, "POST", `${base}/_emulator/clock`, {}, JSON.stringify({ advanceMs: 3_600_000 }));
    expect(Date.parse(advanced.body.now) - before).toBeGreaterThanOrEqual(3_600_000);
    expect((await rawRequest(client.agent, "GET", `${base}/_emulator/nothing`, {})).status).toBe(404);
  });

  it("close() ends keep-alive sockets and timers promptly", async () => {
    const client = await startClient({ processing: { delayMs: 3_600_000 }, sync: { durationMs: 3_600_000 } });
    await client.request("POST", STAGED, { body: device("CL1") });
    await client.request("POST", "/beta/deviceManagement/windowsAutopilotSettings/sync");
    const agent = new https.Agent({ ca: client.emulator.caCertificate, keepAlive: true });
    await rawRequest(agent, "GET", `${client.emulator.graphUrl}/_emulator/stats`, {});
    const started = performance.now();
    await client.emulator.close();
    expect(performance.now() - started).toBeLessThan(500);
    agent.destroy();
  });
});
