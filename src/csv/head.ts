import { describeBinary } from "./binary.js";
import { detectDelimiter, type Delimiter } from "./delimiter.js";
import type { EncodingLabel } from "./encoding.js";
import type { LineEnd } from "./record-parser.js";
import { Utf8Transcoder } from "./transcoder.js";

/** How much of a file is read before parsing starts: the header line must lie within it. */
export const HEAD_BYTES = 64 * 1024;

/** The first bytes of an input, kept so that they can be replayed into the parser. */
export interface Head {
  readonly chunks: readonly Buffer[];
  readonly length: number;
  /** The input ended within the head. */
  readonly ended: boolean;
}

/** Reads chunks from `iterator` until `limit` bytes or the end of the input. */
export async function readHead(iterator: AsyncIterator<Buffer>, limit = HEAD_BYTES): Promise<Head> {
  const chunks: Buffer[] = [];
  let length = 0;
  while (length < limit) {
    const next = await iterator.next();
    if (next.done) return { chunks, length, ended: true };
    chunks.push(next.value);
    length += next.value.length;
  }
  return { chunks, length, ended: false };
}

export type HeadInspection =
  | { readonly ok: true; readonly encoding: EncodingLabel; readonly delimiter: Delimiter; readonly lineEnd: LineEnd | null }
  | { readonly ok: false; readonly encoding: EncodingLabel | null; readonly error: string };

/** Decides what can be decided from the head alone: empty, binary, no header line, delimiter. */
export function inspectHead(head: Head): HeadInspection {
  if (head.length === 0) return { ok: false, encoding: null, error: "the file is empty" };
  const transcoder = new Utf8Transcoder();
  const parts = head.chunks.map((chunk) => transcoder.push(chunk));
  if (head.ended) parts.push(transcoder.end());
  const text = Buffer.concat(parts).toString("utf8");
  const encoding = transcoder.label;
  const binary = describeBinary(text);
  if (binary !== undefined) return { ok: false, encoding: null, error: binary }; // no text encoding applies
  const start = text.search(/\S/);
  if (start === -1) {
    return head.ended
      ? { ok: false, encoding, error: "the file has no header line (it holds only blank lines)" }
      : { ok: false, encoding, error: `no header line in the first ${HEAD_BYTES / 1024} KB (only blank space)` };
  }
  const breakAt = text.slice(start).search(/[\r\n]/);
  if (breakAt === -1 && !head.ended) {
    return { ok: false, encoding, error: `no line break in the first ${HEAD_BYTES / 1024} KB: not a CSV file with a header line` };
  }
  const headerLine = breakAt === -1 ? text.slice(start) : text.slice(start, start + breakAt);
  const lineEnd = breakAt === -1 ? null : text.startsWith("\r\n", start + breakAt) ? "\r\n" : text[start + breakAt] === "\n" ? "\n" : "\r";
  return { ok: true, encoding: encoding ?? "utf-8", delimiter: detectDelimiter(headerLine), lineEnd };
}
