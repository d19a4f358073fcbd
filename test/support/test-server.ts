/** A local HTTPS (or HTTP) server with a scripted handler and a self-signed CA, that records what it was sent: no fetch mocks. */
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { generate } from "selfsigned";

export interface TestCertificate {
  readonly cert: string;
  readonly key: string;
}

let certificate: Promise<TestCertificate> | undefined;

/** A self-signed CA certificate for localhost / 127.0.0.1, generated once per test file. */
export function testCertificate(): Promise<TestCertificate> {
  certificate ??= generate([{ name: "commonName", value: "autopilot-import test" }], {
    keySize: 2048,
    algorithm: "sha256",
    extensions: [
      { name: "basicConstraints", cA: true },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true, keyCertSign: true },
      { name: "extKeyUsage", serverAuth: true },
      {
        name: "subjectAltName",
        altNames: [
          { type: 2, value: "localhost" },
          { type: 7, ip: "127.0.0.1" },
        ],
      },
    ],
  }).then((pems) => ({ cert: pems.cert, key: pems.private }));
  return certificate;
}

export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

export type Handler = (
  request: SeenRequest,
  response: http.ServerResponse,
  raw: http.IncomingMessage,
) => unknown;

export interface TestServer {
  /** e.g. "https://127.0.0.1:43123" */
  readonly url: string;
  /** PEM to trust. */
  readonly ca: string;
  /** Every request that reached the handler, in order. */
  readonly seen: SeenRequest[];
  handle(handler: Handler): void;
  close(): Promise<void>;
}

export function json(response: http.ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? "" : JSON.stringify(body);
  response.writeHead(status, { ...(text ? { "content-type": "application/json" } : {}), ...headers });
  response.end(text);
}

/** A real HTTPS (or HTTP) server on 127.0.0.1 whose behaviour each test scripts. */
export async function startTestServer(options: { tls?: boolean; port?: number } = {}): Promise<TestServer> {
  const tls = options.tls ?? true;
  const { cert, key } = await testCertificate();
  const seen: SeenRequest[] = [];
  let handler: Handler = (_request, response) => json(response, 404, { error: { code: "NotFound", message: "no handler" } });
  const listener = (raw: http.IncomingMessage, response: http.ServerResponse): void => {
    const chunks: Buffer[] = [];
    raw.on("data", (chunk: Buffer) => chunks.push(chunk));
    raw.on("end", () => {
      const request = { method: raw.method ?? "", url: raw.url ?? "", headers: raw.headers, body: Buffer.concat(chunks).toString() };
      seen.push(request);
      Promise.resolve()
        .then(() => handler(request, response, raw))
        .catch((error: unknown) => {
        json(response, 500, { error: { code: "TestHandlerFailed", message: String(error) } });
      });
    });
  };
  const server = tls ? https.createServer({ cert, key }, listener) : http.createServer(listener);
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${tls ? "https" : "http"}://127.0.0.1:${port}`,
    ca: cert,
    seen,
    handle(next) {
      handler = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port nobody listens on (yet). */
export async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
