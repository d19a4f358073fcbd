import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../src/log.js";
import { GraphRequestError } from "../src/graph/errors/index.js";

const JWT = "eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL2dyYXBoIn0.c2lnbmF0dXJl";
const SECRETS = ["Sup3rSecretValue", JWT, "pa55word!", "BEGIN PRIVATE KEY", "refresh-abc", "cookie-value"];

function capture(): { stream: Writable; lines: () => Promise<string> } {
  let text = "";
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      text += chunk.toString();
      callback();
    },
  });
  return { stream, lines: async () => (await new Promise((resolve) => setImmediate(resolve)), text) };
}

/** Every kind of secret the logs may be handed, at every depth, in a child's bindings too. */
function logSecrets(logger: ReturnType<typeof createLogger>): void {
  logger.info(
    {
      clientSecret: "Sup3rSecretValue",
      headers: { Authorization: `Bearer ${JWT}`, "proxy-authorization": "Basic cGE1NXdvcmQh" },
      request: { headers: { authorization: `Bearer ${JWT}` }, body: { client_secret: "Sup3rSecretValue" } },
      response: { body: { access_token: JWT, refresh_token: "refresh-abc", token_type: "Bearer" } },
      devices: [{ serialNumber: "SN1", deviceAccountPassword: "pa55word!" }],
      config: { auth: { certificate: { privateKey: "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----" } } },
      deep: { a: { b: { c: { accessToken: JWT, password: "pa55word!", token: JWT, cookie: "cookie-value" } } } },
    },
    "configured",
  );
  logger.child({ clientSecret: "Sup3rSecretValue" }).warn({ serialNumber: "SN2" }, "child");
}

describe("createLogger", () => {
  it.each(["json", "text"] as const)("prints none of the secrets in a logged object, at any depth (%s)", async (format) => {
    const out = capture();
    const logger = createLogger({ destination: out.stream, level: "debug", format });
    logSecrets(logger);
    const text = await out.lines();
    for (const secret of SECRETS) expect(text).not.toContain(secret);
    // What is not secret survives.
    expect(text).toContain("SN1");
    expect(text).toContain("SN2");
    expect(text).toContain("[redacted]");
  });

  it.each(["json", "text"] as const)("scrubs tokens from error messages, stacks and messages (%s)", async (format) => {
    const out = capture();
    const logger = createLogger({ destination: out.stream, format });
    const error = Object.assign(new Error(`request failed: Authorization: Bearer ${JWT}`), {
      details: { client_secret: "Sup3rSecretValue", nested: { token: JWT } },
    });
    logger.error({ err: error }, "boom");
    logger.warn(`token was ${JWT} and form client_secret=Sup3rSecretValue&x=1`);
    const text = await out.lines();
    for (const secret of SECRETS) expect(text).not.toContain(secret);
    expect(text).toContain("request failed");
  });

  it("writes JSON lines with the level's name and an ISO 8601 time", async () => {
    const out = capture();
    const before = Date.now();
    const logger = createLogger({ destination: out.stream, level: "debug" });
    logger.warn({ uploadId: "u1" }, "throttled");
    logger.debug("detail");
    const lines = (await out.lines()).trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((line) => line.level)).toEqual(["warn", "debug"]);
    expect(lines[0]).toMatchObject({ msg: "throttled", uploadId: "u1", name: "autopilot-import" });
    const time = lines[0]!.time as string;
    expect(time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(Date.parse(time)).toBeGreaterThanOrEqual(before - 1);
    expect(Date.parse(time)).toBeLessThanOrEqual(Date.now());
  });

  it("writes text lines for people: local clock time, level name, message, then key=value", async () => {
    const out = capture();
    const logger = createLogger({ destination: out.stream, level: "info", format: "text" });
    logger.warn({ uploadId: "u1", retryAfterMs: 2000, file: "my devices.csv" }, "throttled");
    logger.info("done");
    const lines = (await out.lines()).split("\n");
    expect(lines[0]).toMatch(/^\d{2}:\d{2}:\d{2} WARN {2}throttled uploadId=u1 retryAfterMs=2000 file="my devices.csv"$/);
    expect(lines[1]).toMatch(/^\d{2}:\d{2}:\d{2} INFO {2}done$/);
    expect(lines[2]).toBe("");
  });

  it("does not serialize the request and response kept on Graph errors", async () => {
    const out = capture();
    const logger = createLogger({ destination: out.stream });
    const error = new GraphRequestError(
      {
        method: "POST",
        url: "https://graph.microsoft.com/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities/import",
        clientRequestId: "c1",
        headers: { authorization: `Bearer ${JWT}` },
      },
      { status: 400, headers: { "request-id": "r1" }, body: { error: { code: "BadRequest", message: "bad hash" } } },
    );
    logger.error({ err: error }, "upload failed");
    const text = await out.lines();
    expect(text).not.toContain(JWT);
    expect(text).toContain("BadRequest");
    expect(text).toContain("r1");
  });

  it("respects the level", async () => {
    const out = capture();
    const logger = createLogger({ destination: out.stream, level: "warn" });
    logger.info("hidden");
    logger.warn("shown");
    const text = await out.lines();
    expect(text).not.toContain("hidden");
    expect(text).toContain("shown");
  });
});
