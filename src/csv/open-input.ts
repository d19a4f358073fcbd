import { createHash } from "node:crypto";
import { createReadStream, statSync } from "node:fs";
import { resolve } from "node:path";
import { Readable, Transform, addAbortSignal } from "node:stream";
import { HEAD_BYTES } from "./head.js";

/** What a journaled run fingerprinted of an input: exactly these bytes are read, and checked to be the same. */
export interface PinnedInput {
  readonly size: number;
  readonly sha256: string;
}

export interface InputSources {
  /** The stream for "-", or undefined when there is none (or it was used already). */
  readonly stdin: Readable | undefined;
  readonly signal: AbortSignal | undefined;
  readonly cwd: string | undefined;
  /** Inputs by absolute path whose fingerprint a run's journal holds (src/state/fingerprint.ts). */
  readonly pinned?: ReadonlyMap<string, PinnedInput> | undefined;
}

/** The input is not what was fingerprinted (still being written, or edited while imported): its rows cannot be trusted. */
export class InputChangedError extends Error {}

/**
 * Opens an input as a byte stream (opening errors such as a missing file surface on the first read), or says why
 * it cannot. The signal is attached to the stream itself: the head is read before any pipeline exists, and stdin
 * may never end.
 */
export function openInput(path: string, sources: InputSources): OpenedInput | { readonly error: string } {
  let source: Readable;
  let afterEnd: OpenedInput["afterEnd"];
  if (path === "-") {
    if (sources.stdin === undefined) return { error: "standard input is not available (it can be read only once)" };
    source = sources.stdin;
  } else {
    const full = resolve(sources.cwd ?? "", path);
    const pinned = sources.pinned?.get(full);
    if (pinned) {
      source = readPinned(full, pinned);
      afterEnd = () => grownMessage(pinned.size, sizeOf(full));
    } else source = createReadStream(full, { highWaterMark: HEAD_BYTES });
  }
  if (sources.signal) addAbortSignal(sources.signal, source);
  return afterEnd ? { stream: source, afterEnd } : { stream: source };
}

export interface OpenedInput {
  readonly stream: Readable;
  /**
   * Once its rows were all read: why the file cannot be taken as read after all (it grew meanwhile: the rows after
   * the fingerprinted bytes are not imported), or null.
   */
  readonly afterEnd?: () => string | null;
}

/**
 * The fingerprinted bytes of `file` and no more (what the journal keys the run by is what is imported), failing at
 * their end when they are not the fingerprinted ones (edited in place: the rows read cannot be trusted).
 */
function readPinned(file: string, pinned: PinnedInput): Readable {
  const bytes = pinned.size === 0 ? Readable.from([]) : createReadStream(file, { highWaterMark: HEAD_BYTES, start: 0, end: pinned.size - 1 });
  const hash = createHash("sha256");
  let read = 0;
  const check = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      read += chunk.length;
      done(null, chunk);
    },
    flush(done) {
      if (read !== pinned.size || hash.digest("hex") !== pinned.sha256) done(new InputChangedError(changedMessage(pinned.size, sizeOf(file))));
      else done();
    },
  });
  bytes.on("error", (error: Error) => check.destroy(error));
  return bytes.pipe(check);
}

const sizeOf = (file: string): number | undefined => {
  try {
    return statSync(file).size;
  } catch {
    return undefined;
  }
};

function changedMessage(fingerprinted: number, now: number | undefined): string {
  const state = now === undefined ? "it is gone now" : now === fingerprinted ? "its content is not the same" : `it has ${now} bytes now`;
  return `the file changed while it was imported (${fingerprinted} bytes when the run began, ${state}): is it still being written? Only the rows read before are in the report; run the import again once the file is complete`;
}

function grownMessage(fingerprinted: number, now: number | undefined): string | null {
  if (now === fingerprinted) return null;
  return `the file changed while it was imported (${fingerprinted} bytes when the run began, ${now === undefined ? "it is gone now" : `it has ${now} bytes now`}): is it still being written? The rows of its first ${fingerprinted} bytes were imported (see the report), the rest were not; once it is complete, import the rows added since in a file of their own`;
}
