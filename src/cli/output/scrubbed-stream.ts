/**
 * stdout and stderr as every command sees them: text written there is scrubbed of the configured secrets first
 * (src/redact.ts remembers them), so no message, summary or log line can print one, whatever its source.
 */
import type { Writable } from "node:stream";
import { scrubSecrets } from "../../redact.js";

type WriteArgs = [chunk: unknown, ...rest: unknown[]];

/** The same stream (isTTY, columns, events and all) whose `write` and `end` scrub string chunks. */
export function scrubbedStream<S extends Writable>(stream: S): S {
  const scrub = (chunk: unknown): unknown => (typeof chunk === "string" ? scrubSecrets(chunk) : chunk);
  const write = (...[chunk, ...rest]: WriteArgs): boolean => (stream.write as (...args: unknown[]) => boolean)(scrub(chunk), ...rest);
  const end = (...args: unknown[]): S => {
    const [first, ...rest] = args;
    (stream.end as (...args: unknown[]) => unknown)(typeof first === "function" || first === undefined ? first : scrub(first), ...rest);
    return stream;
  };
  return new Proxy(stream, {
    get(target, property) {
      if (property === "write") return write;
      if (property === "end") return end;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
