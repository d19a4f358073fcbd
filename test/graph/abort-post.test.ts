/** A request aborted after its body was sent (a signal while an import waits for its answer) must not crash the process. */
import { Agent, createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { InterruptedError } from "../../src/errors.js";
import { sendAttempt } from "../../src/graph/http-attempt.js";

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

describe("sendAttempt aborted mid-request", () => {
  it("rejects with the run's interruption once the body is sent, and nothing is left to throw later", async () => {
    let received: (body: string) => void = () => undefined;
    const bodyArrived = new Promise<string>((resolve) => (received = resolve));
    let contentLength: string | undefined;
    server = createServer((request: IncomingMessage) => {
      contentLength = request.headers["content-length"];
      let text = "";
      request.on("data", (chunk: Buffer) => (text += chunk.toString()));
      request.on("end", () => received(text)); // and never answers
    });
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const run = new AbortController();
    const agent = new Agent({ keepAlive: true });
    const body = Buffer.from(JSON.stringify({ importedWindowsAutopilotDeviceIdentities: [{ serialNumber: "S1" }] }));
    const attempt = sendAttempt({ url: new URL(`http://127.0.0.1:${port}/import`), method: "POST", headers: { "content-type": "application/json" }, body, agent, signal: run.signal, timeoutMs: 30_000 });
    expect(await bodyArrived).toBe(body.toString());
    expect(contentLength).toBe(String(body.length));
    run.abort("SIGTERM");
    await expect(attempt).rejects.toBeInstanceOf(InterruptedError);
    // An 'error' emitted on the request body after the abort would surface here as an uncaught exception.
    await new Promise((resolve) => setTimeout(resolve, 50));
    agent.destroy();
  });
});
