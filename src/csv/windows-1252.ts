import { isAscii } from "node:buffer";

/** Code points of bytes 0x80–0x9F in Windows-1252 (WHATWG mapping); 0xA0–0xFF equal their code point. */
const HIGH_CONTROLS = [
  0x20ac, 0x0081, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008d,
  0x017d, 0x008f, 0x0090, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a,
  0x0153, 0x009d, 0x017e, 0x0178,
];

/** The Unicode code point a Windows-1252 byte stands for. */
export function windows1252CodePoint(byte: number): number {
  return byte >= 0x80 && byte <= 0x9f ? (HIGH_CONTROLS[byte - 0x80] as number) : byte;
}

/** Writes the UTF-8 encoding of one Windows-1252 byte into `out` at `at`; returns the new offset. */
export function writeWindows1252Byte(byte: number, out: Uint8Array, at: number): number {
  const cp = windows1252CodePoint(byte);
  if (cp < 0x80) {
    out[at] = cp;
    return at + 1;
  }
  if (cp < 0x800) {
    out[at] = 0xc0 | (cp >> 6);
    out[at + 1] = 0x80 | (cp & 0x3f);
    return at + 2;
  }
  out[at] = 0xe0 | (cp >> 12);
  out[at + 1] = 0x80 | ((cp >> 6) & 0x3f);
  out[at + 2] = 0x80 | (cp & 0x3f);
  return at + 3;
}

/** Transcodes Windows-1252 bytes to UTF-8; single-byte, so chunks can be converted independently. */
export function windows1252ToUtf8(bytes: Buffer): Buffer {
  if (isAscii(bytes)) return bytes;
  const out = Buffer.allocUnsafe(bytes.length * 3);
  let at = 0;
  for (const byte of bytes) at = writeWindows1252Byte(byte, out, at);
  return out.subarray(0, at);
}
