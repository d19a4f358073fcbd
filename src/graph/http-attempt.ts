import type { Agent } from "node:http";
import { Readable } from "node:stream";
import fetch from "node-fetch";
import { abortError } from "../util/abort.js";
import { classifyTransportError, type TransportFailure } from "./retry/transport-failure.js";

export interface AttemptInput {
  readonly url: URL;
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer | undefined;
  readonly agent: Agent;
  /** The run (and caller) signal: its abort ends the whole request, not just this attempt. */
  readonly signal: AbortSignal;
  readonly timeoutMs: number;
}

export type AttemptResult =
  | {
      readonly kind: "response";
      readonly status: number;
      readonly headers: Readonly<Record<string, string>>;
      readonly body: unknown;
    }
  | { readonly kind: "failure"; readonly failure: TransportFailure; readonly error: unknown };

/**
 * One HTTP exchange, body included, under `AbortSignal.any([run, timeout])`. Network failures and timeouts are
 * returned as data for the retry decision; only a run abort throws.
 */
export async function sendAttempt(input: AttemptInput): Promise<AttemptResult> {
  const timeout = AbortSignal.timeout(input.timeoutMs);
  const signal = AbortSignal.any([input.signal, timeout]);
  try {
    const response = await fetch(input.url.href, {
      method: input.method,
      headers: input.body ? { ...input.headers, "content-length": String(input.body.length) } : input.headers,
      body: input.body ? bodyStream(input.body) : undefined,
      agent: input.agent,
      signal,
      // Graph does not redirect these calls; following one could carry the bearer token elsewhere.
      redirect: "manual",
    });
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      headers[name.toLowerCase()] = value;
    });
    // Reading the body is part of the attempt: a reset mid-body is a failure after sending.
    const text = await response.text();
    return { kind: "response", status: response.status, headers, body: parseBody(text, headers["content-type"]) };
  } catch (error) {
    if (input.signal.aborted) throw abortError(input.signal);
    if (timeout.aborted) return { kind: "failure", failure: { kind: "timeout", code: "ETIMEDOUT" }, error };
    return { kind: "failure", failure: classifyTransportError(error), error };
  }
}

/**
 * node-fetch sends every body as a stream and, when a request is aborted after its body was sent (a signal while
 * an import waits for its answer), destroys that stream with an error no one listens to: an uncaught 'error' that
 * kills the process. So the body is a stream of our own, listened to (the abort itself is reported by fetch).
 */
function bodyStream(body: Buffer): Readable {
  const stream = Readable.from([body], { objectMode: false });
  stream.on("error", () => undefined);
  return stream;
}

function parseBody(text: string, contentType: string | undefined): unknown {
  if (text === "") return undefined;
  if (contentType?.includes("json")) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}
