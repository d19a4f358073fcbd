/** The encodings the reader recognises, as reported in FileSummary.encoding. */
export type EncodingLabel = "utf-8" | "utf-8-bom" | "utf-16le" | "utf-16be" | "windows-1252";

export interface ByteOrderMark {
  readonly encoding: "utf-8-bom" | "utf-16le" | "utf-16be";
  readonly length: number;
}

/** Bytes needed before the byte-order mark can be judged. */
export const BOM_SNIFF_BYTES = 3;

/** The byte-order mark at the start of `bytes`, if any. */
export function detectByteOrderMark(bytes: Uint8Array): ByteOrderMark | undefined {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { encoding: "utf-8-bom", length: 3 };
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { encoding: "utf-16le", length: 2 };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { encoding: "utf-16be", length: 2 };
  return undefined;
}
