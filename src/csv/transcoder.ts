import { isAscii, isUtf8 } from "node:buffer";
import { StringDecoder } from "node:string_decoder";
import { BOM_SNIFF_BYTES, detectByteOrderMark, type EncodingLabel } from "./encoding.js";
import { incompleteTailLength, repairUtf8 } from "./utf8.js";
import { windows1252ToUtf8 } from "./windows-1252.js";

type Mode = "start" | "ascii" | "utf-8" | "windows-1252" | "utf-16le" | "utf-16be";

const EMPTY = Buffer.alloc(0);

/** Bytes judged, from the first non-ASCII one, to choose between UTF-8 and Windows-1252. */
export const DECISION_WINDOW = 4096;

function firstNonAscii(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; i++) if ((bytes[i] as number) >= 0x80) return i;
  return bytes.length;
}

/**
 * Turns the bytes of a CSV file, chunk by chunk, into valid UTF-8 for csv-parse, detecting the encoding as it goes:
 * - a byte-order mark decides UTF-8 / UTF-16LE / UTF-16BE;
 * - without one, bytes pass through while they are ASCII (identical in UTF-8 and Windows-1252); at the first
 *   non-ASCII byte, the next 4 KB decide: valid UTF-8 → UTF-8, otherwise Windows-1252 for the whole file
 *   (a fixed window, so that the decision depends on the bytes only, never on how they were chunked);
 * - once UTF-8 is decided, a later invalid byte is read as Windows-1252 (mixed files), so nothing is lost.
 * Deciding at the first non-ASCII byte rather than on a prefix of the file matters: hashes are ASCII, so an "ANSI"
 * file's first accented group tag may sit megabytes in.
 */
export class Utf8Transcoder {
  #mode: Mode = "start";
  #carry: Buffer = EMPTY;
  #label: EncodingLabel | null = null;
  #utf16: StringDecoder | undefined;
  /** A high surrogate that ended the previous UTF-16 chunk: UTF-8 can only encode it with its pair. */
  #highSurrogate = "";
  readonly #onLabel: ((label: EncodingLabel) => void) | undefined;

  constructor(onLabel?: (label: EncodingLabel) => void) {
    this.#onLabel = onLabel;
  }

  /** The encoding detected so far; "utf-8" while only ASCII has been seen. */
  get label(): EncodingLabel | null {
    return this.#label;
  }

  /** Transcodes the next chunk; may hold back a few bytes of an incomplete character. */
  push(chunk: Buffer): Buffer {
    const bytes = this.#carry.length === 0 ? chunk : Buffer.concat([this.#carry, chunk]);
    this.#carry = EMPTY;
    return this.#convert(bytes, false);
  }

  /** Flushes what is held back at the end of the input. */
  end(): Buffer {
    const bytes = this.#carry;
    this.#carry = EMPTY;
    const out = this.#convert(bytes, true);
    if (this.#utf16) {
      const rest = this.#highSurrogate + this.#utf16.end();
      this.#highSurrogate = "";
      return rest.length === 0 ? out : Buffer.concat([out, Buffer.from(rest, "utf8")]);
    }
    return out;
  }

  #setLabel(label: EncodingLabel): void {
    if (this.#label === label) return;
    this.#label = label;
    this.#onLabel?.(label);
  }

  #convert(bytes: Buffer, final: boolean): Buffer {
    switch (this.#mode) {
      case "start":
        return this.#sniff(bytes, final);
      case "ascii":
        return this.#fromUndecided(bytes, final);
      case "utf-8":
        return this.#fromUtf8(bytes, final);
      case "windows-1252":
        return windows1252ToUtf8(bytes);
      case "utf-16le":
      case "utf-16be":
        return this.#fromUtf16(bytes);
    }
  }

  #sniff(bytes: Buffer, final: boolean): Buffer {
    if (bytes.length < BOM_SNIFF_BYTES && !final) {
      this.#carry = bytes;
      return EMPTY;
    }
    const bom = detectByteOrderMark(bytes);
    const rest = bom ? bytes.subarray(bom.length) : bytes;
    if (bom === undefined) {
      this.#mode = "ascii";
      this.#setLabel("utf-8");
    } else if (bom.encoding === "utf-8-bom") {
      this.#mode = "utf-8";
      this.#setLabel("utf-8-bom");
    } else {
      this.#mode = bom.encoding;
      this.#utf16 = new StringDecoder("utf16le");
      this.#setLabel(bom.encoding);
    }
    return this.#convert(rest, final);
  }

  #fromUndecided(bytes: Buffer, final: boolean): Buffer {
    if (isAscii(bytes)) return bytes;
    const first = firstNonAscii(bytes);
    const window = bytes.subarray(first, first + DECISION_WINDOW);
    if (window.length < DECISION_WINDOW && !final) {
      // Not enough bytes yet to judge: hold them back, so that the decision never depends on how input is chunked.
      this.#carry = Buffer.from(window);
      return bytes.subarray(0, first);
    }
    const tail = final && window.length < DECISION_WINDOW ? 0 : incompleteTailLength(window);
    if (isUtf8(window.subarray(0, window.length - tail))) {
      this.#mode = "utf-8";
      return this.#fromUtf8(bytes, final);
    }
    this.#mode = "windows-1252";
    this.#setLabel("windows-1252");
    return windows1252ToUtf8(bytes);
  }

  #fromUtf8(bytes: Buffer, final: boolean): Buffer {
    const tail = final ? 0 : incompleteTailLength(bytes);
    if (tail > 0) this.#carry = Buffer.from(bytes.subarray(bytes.length - tail));
    const complete = tail > 0 ? bytes.subarray(0, bytes.length - tail) : bytes;
    return isUtf8(complete) ? complete : repairUtf8(complete);
  }

  #fromUtf16(bytes: Buffer): Buffer {
    const decoder = this.#utf16 as StringDecoder;
    let even = bytes;
    if (this.#mode === "utf-16be") {
      // Swap to little-endian on a copy (the caller may still hold the chunk); an odd byte waits for its pair.
      const usable = bytes.length - (bytes.length % 2);
      if (usable < bytes.length) this.#carry = Buffer.from(bytes.subarray(usable));
      even = Buffer.from(bytes.subarray(0, usable)).swap16();
    }
    let text = this.#highSurrogate + decoder.write(even);
    this.#highSurrogate = "";
    const last = text.charCodeAt(text.length - 1);
    if (last >= 0xd800 && last <= 0xdbff) {
      this.#highSurrogate = text.slice(-1);
      text = text.slice(0, -1);
    }
    return text.length === 0 ? EMPTY : Buffer.from(text, "utf8");
  }
}

/** A `stream/promises.pipeline` stage that transcodes a byte stream with `transcoder`. */
export function transcodeStage(transcoder: Utf8Transcoder) {
  return async function* transcode(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    for await (const chunk of source) {
      const out = transcoder.push(chunk);
      if (out.length > 0) yield out;
    }
    const rest = transcoder.end();
    if (rest.length > 0) yield rest;
  };
}
