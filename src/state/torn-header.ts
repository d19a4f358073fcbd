/**
 * Whether a journal file without a valid run record is only that record torn by a crash (its first and only write
 * never finished: an empty file, a prefix of the record, zeros a power loss left), rather than a file that is not a
 * journal at all (overwritten, garbage, another tool's): only the former may be started over; the latter is refused.
 */
import { closeSync, openSync, readSync } from "node:fs";

const HEADER_START = '{"r":{"type":"run"';
/** The header is one line of well under this; anything longer without a newline is not a torn header. */
const MAX_HEADER_BYTES = 64 * 1024;

/** `start`: how the journal's first record begins (an import's run record by default). */
export function isTornHeader(file: string, start = HEADER_START): boolean {
  const fd = openSync(file, "r");
  let bytes: Buffer;
  try {
    const buffer = Buffer.alloc(MAX_HEADER_BYTES + 1);
    bytes = buffer.subarray(0, readSync(fd, buffer, 0, buffer.length, 0));
  } finally {
    closeSync(fd);
  }
  if (bytes.length > MAX_HEADER_BYTES || bytes.includes(0x0a)) return false;
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end -= 1; // zeros where the data never reached the disk
  const text = bytes.subarray(0, end).toString("utf8");
  return text.length <= start.length ? start.startsWith(text) : text.startsWith(start);
}
