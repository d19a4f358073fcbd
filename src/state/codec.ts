/**
 * One journal line: `{"r":<record JSON>,"crc":"<crc32 of that JSON, 8 hex digits>"}` and a newline. Every line is
 * still JSON (jq can read the journal), and a line torn by a power loss, or garbage a crash left, fails its check.
 */
import { crc32 } from "node:zlib";
import { scrubSecrets } from "../redact.js";

const HEAD = '{"r":';
const TAIL = /,"crc":"([0-9a-f]{8})"\}$/;
/** Length of `,"crc":"xxxxxxxx"}`. */
const TAIL_LENGTH = 18;

function checksum(text: string): string {
  return crc32(text).toString(16).padStart(8, "0");
}

/** The line (with its newline) that stores `record`. */
export function encodeRecord(record: object): string {
  // A configured secret never reaches the disk, even as a row's value (a secret file read as a CSV).
  const body = scrubSecrets(JSON.stringify(record));
  return `${HEAD}${body},"crc":"${checksum(body)}"}\n`;
}

/** The record a line stores (without its newline), or undefined when the line is torn, altered or not ours. */
export function decodeLine(line: string): unknown {
  if (!line.startsWith(HEAD) || line.length < HEAD.length + TAIL_LENGTH) return undefined;
  const tail = TAIL.exec(line.slice(-TAIL_LENGTH));
  if (!tail) return undefined;
  const body = line.slice(HEAD.length, -TAIL_LENGTH);
  if (checksum(body) !== tail[1]) return undefined;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}
