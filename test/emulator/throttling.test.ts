import { describe, expect, it } from "vitest";
import { QUIET, REGISTERED, STAGED, device, startClient, type GraphErrorShape } from "../support/emulator-client.js";

describe("throttling: token buckets per app per tenant over 20 s", () => {
  it("answers the 101st write in a window with 429 TooManyRequests and Retry-After; refills over time", async () => {
    // The clock crawls (1 emulated ms per real second) so no token comes back while a busy machine sends the 101.
    const client = await startClient({ ...QUIET, throttling: { enabled: true }, clock: { speed: 0.001 } });
    const statuses: number[] = [];
    for (let index = 0; index < 101; index += 1) {
      statuses.push((await client.request("POST", STAGED, { body: device(`TH${index}`) })).status);
    }
    expect(statuses.slice(0, 100).every((status) => status === 201)).toBe(true);
    expect(statuses[100]).toBe(429);
    const throttled = await client.request<GraphErrorShape>("POST", STAGED, { body: device("THX") });
    expect(throttled.status).toBe(429);
    expect(throttled.body.error.code).toBe("TooManyRequests");
    // One token comes back every 200 emulated ms of a 20 s window of 100, which is 200 real seconds at this speed,
    // less what little emulated time has passed; Retry-After is whole seconds.
    const retryAfter = String(throttled.headers["retry-after"]);
    expect(retryAfter).toMatch(/^\d+$/);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(180);
    expect(Number(retryAfter)).toBeLessThanOrEqual(200);
    // Reads still pass: they only count against the 1,000-request bucket.
    expect((await client.request("GET", REGISTERED)).status).toBe(200);
    client.emulator.clock.advance(20_000);
    expect((await client.request("POST", STAGED, { body: device("THY") })).status).toBe(201);
    expect(client.emulator.stats().throttled).toEqual({ total: 2, writes: 2, requests: 0 });
  });

  it("the all-requests bucket limits reads; Retry-After scales with the clock", async () => {
    const client = await startClient({ ...QUIET, throttling: { enabled: true, requestsPerWindow: 5, windowSeconds: 100 } });
    for (let index = 0; index < 5; index += 1) expect((await client.request("GET", REGISTERED)).status).toBe(200);
    const throttled = await client.request("GET", REGISTERED);
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers["retry-after"])).toBeGreaterThanOrEqual(19);
    expect(Number(throttled.headers["retry-after"])).toBeLessThanOrEqual(20);
    client.emulator.setScenario({ clock: { speed: 10 } });
    const faster = await client.request("GET", REGISTERED);
    expect(Number(faster.headers["retry-after"])).toBeLessThanOrEqual(2);
  });

  it("does nothing when disabled (the default test scenario)", async () => {
    const client = await startClient();
    for (let index = 0; index < 120; index += 1) expect((await client.request("POST", STAGED, { body: device(`NT${index}`) })).status).toBe(201);
  });
});
