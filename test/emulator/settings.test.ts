import { describe, expect, it } from "vitest";
import { QUIET, SETTINGS, startClient, type GraphErrorShape } from "../support/emulator-client.js";

interface Settings {
  readonly id: string;
  readonly lastSyncDateTime: string;
  readonly lastManualSyncTriggerDateTime: string;
  readonly syncStatus: string;
}

describe("windowsAutopilotSettings (beta)", () => {
  it("get and patch (200 with the updated entity, seed 002)", async () => {
    const client = await startClient();
    const before = await client.request<Settings>("GET", SETTINGS);
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({ syncStatus: "completed", lastManualSyncTriggerDateTime: "0001-01-01T00:00:00.000Z" });
    const patched = await client.request<Settings>("PATCH", SETTINGS, {
      body: { lastSyncDateTime: "2017-01-01T00:02:49.3205976-08:00", syncStatus: "failed" },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id: before.body.id, syncStatus: "failed", lastSyncDateTime: "2017-01-01T08:02:49.320Z" });
    expect((await client.request("PATCH", SETTINGS, { body: { syncStatus: "bogus" } })).status).toBe(400);
    expect((await client.request("PATCH", SETTINGS, { body: { other: 1 } })).status).toBe(400);
    expect((await client.request("GET", "/v1.0/deviceManagement/windowsAutopilotSettings")).status).toBe(400);
  });

  it("sync: 204, 409 while running, completes after its duration, 429 within 10 minutes, then 204 again", async () => {
    const client = await startClient({ ...QUIET, sync: { durationMs: 30_000 } });
    const sync = () => client.request<GraphErrorShape>("POST", `${SETTINGS}/sync`);
    const settings = async () => (await client.request<Settings>("GET", SETTINGS)).body;
    const before = await settings();

    expect((await sync()).status).toBe(204);
    const running = await settings();
    expect(running.syncStatus).toBe("inProgress");
    expect(Date.parse(running.lastManualSyncTriggerDateTime)).toBeGreaterThan(Date.parse(before.lastSyncDateTime));
    expect((await sync()).status).toBe(409);

    client.emulator.clock.advance(30_000);
    const done = await settings();
    expect(done.syncStatus).toBe("completed");
    expect(Date.parse(done.lastSyncDateTime)).toBeGreaterThan(Date.parse(before.lastSyncDateTime));

    const tooSoon = await sync();
    expect(tooSoon.status).toBe(429);
    expect(tooSoon.headers["retry-after"]).toBeUndefined();
    client.emulator.clock.advance(570_000);
    expect((await sync()).status).toBe(204);
    expect(client.emulator.stats().sync).toMatchObject({ triggered: 2, completed: 1, rejectedInProgress: 1, rejectedTooSoon: 1 });
  });

  it("the 429 can carry Retry-After (real seconds), and the 10-minute rule passes in a second at 600x", async () => {
    const client = await startClient({ ...QUIET, clock: { speed: 600 }, sync: { durationMs: 0, retryAfterOn429: true } });
    expect((await client.request("POST", `${SETTINGS}/sync`)).status).toBe(204);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const tooSoon = await client.request("POST", `${SETTINGS}/sync`);
    expect(tooSoon.status).toBe(429);
    expect(Number(tooSoon.headers["retry-after"])).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 1050));
    expect((await client.request("POST", `${SETTINGS}/sync`)).status).toBe(204);
  });

  it("a sync can end failed (lastSyncDateTime then stays)", async () => {
    const client = await startClient({ ...QUIET, sync: { durationMs: 1000, failureRate: 1 } });
    const before = (await client.request<Settings>("GET", SETTINGS)).body;
    await client.request("POST", `${SETTINGS}/sync`);
    client.emulator.clock.advance(1000);
    const after = (await client.request<Settings>("GET", SETTINGS)).body;
    expect(after.syncStatus).toBe("failed");
    expect(after.lastSyncDateTime).toBe(before.lastSyncDateTime);
  });
});
