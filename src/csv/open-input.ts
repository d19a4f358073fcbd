import { createReadStream } from "node:fs";
import { resolve } from "node:path";
import { addAbortSignal, type Readable } from "node:stream";
import { HEAD_BYTES } from "./head.js";

export interface InputSources {
  /** The stream for "-", or undefined when there is none (or it was used already). */
  readonly stdin: Readable | undefined;
  readonly signal: AbortSignal | undefined;
  readonly cwd: string | undefined;
}

/**
 * Opens an input as a byte stream (opening errors such as a missing file surface on the first read), or says why
 * it cannot. The signal is attached to the stream itself: the head is read before any pipeline exists, and stdin
 * may never end.
 */
export function openInput(path: string, sources: InputSources): { readonly stream: Readable } | { readonly error: string } {
  let source: Readable;
  if (path === "-") {
    if (sources.stdin === undefined) return { error: "standard input is not available (it can be read only once)" };
    source = sources.stdin;
  } else {
    source = createReadStream(resolve(sources.cwd ?? "", path), { highWaterMark: HEAD_BYTES });
  }
  if (sources.signal) addAbortSignal(sources.signal, source);
  return { stream: source };
}
