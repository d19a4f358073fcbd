/** The token requests' retry policy: the Graph retry rules, a deadline, and a one-line reason when it gives up. */
import { describe, expect, it } from "vitest";
import { TokenEndpointRetry } from "../../src/graph/token-endpoint-retry.js";

type SendRequest = ReturnType<TokenEndpointRetry["policy"]>["policy"]["sendRequest"];
type PipelineRequest = Parameters<SendRequest>[0];
type PipelineResponse = Awaited<ReturnType<SendRequest>>;

const URL_ = "https://login.example.test/tenant/oauth2/v2.0/token";
const REQUEST = { url: URL_, method: "POST" } as PipelineRequest;

/** The parts of an SDK response the policy reads (status, headers, body). */
function answer(status: number, headers: Record<string, string> = {}, body = ""): PipelineResponse {
  return { status, headers: { toJSON: () => headers, get: (name: string) => headers[name] }, bodyAsText: body, request: REQUEST } as unknown as PipelineResponse;
}

function resetError(): Error {
  return Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
}

/** A policy on a fake clock: sleeping advances it. */
function harness(deadlineMs = 180_000): { retry: TokenEndpointRetry; waits: number[]; send: (next: () => Promise<PipelineResponse>) => Promise<PipelineResponse> } {
  let now = 0;
  const waits: number[] = [];
  const retry = new TokenEndpointRetry({
    deadlineMs,
    now: () => now,
    random: () => 0.5,
    sleep: async (ms) => {
      waits.push(ms);
      now += ms;
    },
  });
  const { policy } = retry.policy();
  return { retry, waits, send: (next) => policy.sendRequest({ ...REQUEST }, next) };
}

describe("TokenEndpointRetry", () => {
  it("waits exactly what Retry-After asks, then hands the token answer on", async () => {
    const { retry, waits, send } = harness();
    const answers = [answer(503, { "retry-after": "3" }), answer(429, { "retry-after": "1" }), answer(200, {}, "{}")];
    const response = await send(async () => answers.shift()!);
    expect(response.status).toBe(200);
    expect(waits).toEqual([3000, 1000]);
    expect(retry.takeFailure()).toBeUndefined();
  });

  it("passes Entra's own answers (400 invalid_client, …) to MSAL at once", async () => {
    const { retry, waits, send } = harness();
    const response = await send(async () => answer(400, {}, '{"error":"invalid_client"}'));
    expect(response.status).toBe(400);
    expect(waits).toEqual([]);
    expect(retry.attempts).toBe(1);
  });

  it("backs off after resets, and says how the connection failed once the attempts are used up", async () => {
    const { retry, waits, send } = harness();
    await expect(send(async () => Promise.reject(resetError()))).rejects.toThrow("socket hang up");
    expect(retry.attempts).toBe(5);
    expect(waits).toHaveLength(4);
    expect(retry.takeFailure()).toMatch(/^the connection to the login host login\.example\.test failed \(ECONNRESET\) on 5 attempts in [\d.]+ s: check the authority host/);
    expect(retry.takeFailure()).toBeUndefined();
  });

  it("stops at the deadline rather than start a wait that ends after it", async () => {
    const { retry, waits, send } = harness(10_000);
    const response = await send(async () => answer(503, { "retry-after": "4" }, '{"error":"temporarily_unavailable","error_description":"AADSTS90033: A transient error has occurred.\\r\\nTrace ID: x"}'));
    expect(response.status).toBe(503);
    expect(waits).toEqual([4000, 4000]);
    expect(retry.takeFailure()).toBe(
      "the login host login.example.test answered 503 Service Unavailable to 3 attempts in 8.0 s: AADSTS90033: A transient error has occurred. (the sign-in service is unavailable: try again later)",
    );
  });

  it("does not retry a rejected certificate, and says which fix it needs", async () => {
    const { retry, send } = harness();
    const error = Object.assign(new Error("Hostname/IP does not match certificate's altnames"), { code: "ERR_TLS_CERT_ALTNAME_INVALID" });
    await expect(send(async () => Promise.reject(error))).rejects.toBe(error);
    expect(retry.attempts).toBe(1);
    expect(retry.takeFailure()).toMatch(/ERR_TLS_CERT_ALTNAME_INVALID\): the server certificate is not issued for the host name login\.example\.test: check the host in --authority-host/);
  });
});
