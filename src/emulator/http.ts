import type { IncomingMessage, ServerResponse } from "node:http";

export type BodyRead = { readonly ok: true; readonly body: Buffer } | { readonly ok: false; readonly reason: "too-large" | "aborted" };

/** Reads a request body, refusing more than `limit` bytes without buffering the excess. */
export function readBody(request: IncomingMessage, limit: number): Promise<BodyRead> {
  const declared = Number(request.headers["content-length"] ?? "0");
  if (declared > limit) {
    request.resume();
    return Promise.resolve({ ok: false, reason: "too-large" });
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (result: BodyRead): void => {
      if (done) return;
      done = true;
      resolve(result);
    };
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        chunks.length = 0;
        request.resume();
        finish({ ok: false, reason: "too-large" });
        return;
      }
      if (!done) chunks.push(chunk);
    });
    request.on("end", () => finish({ ok: true, body: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks) }));
    request.on("aborted", () => finish({ ok: false, reason: "aborted" }));
    request.on("error", () => finish({ ok: false, reason: "aborted" }));
    request.on("close", () => finish({ ok: false, reason: "aborted" }));
  });
}

/** Writes a JSON (or empty) answer unless the socket is already gone. */
export function send(
  response: ServerResponse,
  status: number,
  headers: Readonly<Record<string, string>>,
  body: unknown,
  contentType: string,
): void {
  if (response.destroyed || response.writableEnded) return;
  if (response.headersSent) {
    // Only a bug gets here (an answer after an answer): drop the connection rather than throw.
    response.destroy();
    return;
  }
  if (body === undefined) {
    response.writeHead(status, headers);
    response.end();
    return;
  }
  const text = JSON.stringify(body);
  response.writeHead(status, { ...headers, "content-type": contentType, "content-length": String(Buffer.byteLength(text)) });
  response.end(text);
}

/** Simulates a connection reset: the client sees ECONNRESET / "socket hang up" and never gets an answer. */
export function resetConnection(request: IncomingMessage): void {
  request.socket.destroy();
}

export function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
