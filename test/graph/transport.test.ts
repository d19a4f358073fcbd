import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GraphClient } from "../../src/graph/client.js";
import { createTransport } from "../../src/graph/transport.js";
import { UsageError } from "../../src/errors.js";
import { CountingCredential } from "../support/test-doubles.js";
import { startConnectProxy, type ConnectProxy } from "./helpers/connect-proxy.js";
import { json, startTestServer, type TestServer } from "../support/test-server.js";

let server: TestServer;
let proxy: ConnectProxy;

beforeEach(async () => {
  server = await startTestServer();
  server.handle((_request, response) => json(response, 200, { value: [] }));
  proxy = await startConnectProxy();
});
afterEach(async () => {
  await server.close();
  await proxy.close();
});

describe("transport", () => {
  it("tunnels through the proxy and trusts the custom CA inside the tunnel", async () => {
    const client = new GraphClient({
      credential: new CountingCredential(),
      graphUrl: server.url,
      caCertificate: server.ca,
      proxy: { url: proxy.url },
    });
    try {
      await client.request({ method: "GET", path: "/deviceManagement/windowsAutopilotDeviceIdentities" });
      await client.request({ method: "GET", path: "/deviceManagement/windowsAutopilotDeviceIdentities" });
    } finally {
      client.close();
    }
    expect(proxy.tunnels).toEqual([new URL(server.url).host]); // one keep-alive tunnel for both requests
    expect(server.seen).toHaveLength(2);
  });

  it("goes direct for NO_PROXY hosts", async () => {
    const client = new GraphClient({
      credential: new CountingCredential(),
      graphUrl: server.url,
      caCertificate: server.ca,
      proxy: { url: proxy.url, noProxy: "localhost,127.0.0.1" },
    });
    try {
      await client.request({ method: "GET", path: "/deviceManagement/windowsAutopilotDeviceIdentities" });
    } finally {
      client.close();
    }
    expect(proxy.tunnels).toEqual([]);
    expect(server.seen).toHaveLength(1);
  });

  it("reuses keep-alive connections", async () => {
    const ports = new Set<number>();
    server.handle((_request, response, raw) => {
      ports.add(raw.socket.remotePort ?? 0);
      json(response, 200, {});
    });
    const client = new GraphClient({ credential: new CountingCredential(), graphUrl: server.url, caCertificate: server.ca });
    try {
      for (let i = 0; i < 5; i++) await client.request({ method: "GET", path: "/x" });
    } finally {
      client.close();
    }
    expect(ports.size).toBe(1);
  });

  it("validates its options", () => {
    expect(() => createTransport({ maxSockets: 0 })).toThrow(UsageError);
    expect(() => createTransport({ proxy: { url: "socks://x" } })).toThrow(UsageError);
  });
});
