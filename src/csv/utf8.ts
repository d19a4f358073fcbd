import { writeWindows1252Byte } from "./windows-1252.js";

/**
 * How many bytes at the end of `bytes` form the start of a multi-byte sequence that the next chunk completes.
 * Chunk boundaries fall anywhere, so these bytes are carried over rather than judged.
 */
export function incompleteTailLength(bytes: Uint8Array): number {
  const length = bytes.length;
  for (let back = 1; back <= 3 && back <= length; back++) {
    const byte = bytes[length - back] as number;
    if ((byte & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead byte
    if (byte < 0xc0) return 0; // ASCII: the chunk ends on a boundary
    const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2;
    return needed > back ? back : 0;
  }
  return 0;
}

/** Length of the well-formed UTF-8 sequence starting at `at`, or 0 when the bytes there are not one. */
function sequenceLength(bytes: Uint8Array, at: number): number {
  const lead = bytes[at] as number;
  if (lead < 0x80) return 1;
  let length: number;
  let low = 0x80;
  let high = 0xbf;
  if (lead >= 0xc2 && lead <= 0xdf) length = 2;
  else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    if (lead === 0xe0) low = 0xa0; // no overlong forms
    if (lead === 0xed) high = 0x9f; // no surrogates
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    if (lead === 0xf0) low = 0x90;
    if (lead === 0xf4) high = 0x8f; // nothing above U+10FFFF
  } else return 0;
  if (at + length > bytes.length) return 0;
  const second = bytes[at + 1] as number;
  if (second < low || second > high) return 0;
  for (let i = 2; i < length; i++) if (((bytes[at + i] as number) & 0xc0) !== 0x80) return 0;
  return length;
}

/**
 * Makes bytes that are mostly UTF-8 valid: well-formed sequences are kept, every other byte is read as Windows-1252.
 * This is what a file appended to by two tools (UTF-8, then "ANSI") needs: no row is lost and accents survive.
 */
export function repairUtf8(bytes: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(bytes.length * 3);
  let at = 0;
  let i = 0;
  while (i < bytes.length) {
    const length = sequenceLength(bytes, i);
    if (length === 0) {
      at = writeWindows1252Byte(bytes[i] as number, out, at);
      i += 1;
    } else {
      for (let k = 0; k < length; k++) out[at++] = bytes[i + k] as number;
      i += length;
    }
  }
  return out.subarray(0, at);
}
