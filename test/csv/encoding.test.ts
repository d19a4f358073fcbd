import { describe, expect, it } from "vitest";
import { detectByteOrderMark } from "../../src/csv/encoding.js";
import { Utf8Transcoder } from "../../src/csv/transcoder.js";
import { incompleteTailLength, repairUtf8 } from "../../src/csv/utf8.js";
import { windows1252ToUtf8 } from "../../src/csv/windows-1252.js";

/** Feeds `bytes` in pieces of `size` and returns the decoded text and the final label. */
function transcode(bytes: Buffer, size = bytes.length || 1) {
  const labels: string[] = [];
  const transcoder = new Utf8Transcoder((label) => labels.push(label));
  const parts: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) parts.push(transcoder.push(bytes.subarray(at, at + size)));
  parts.push(transcoder.end());
  return { text: Buffer.concat(parts).toString("utf8"), label: transcoder.label, labels };
}

const withBom = (bom: number[], body: Buffer) => Buffer.concat([Buffer.from(bom), body]);

describe("byte-order marks", () => {
  it("recognises UTF-8, UTF-16LE and UTF-16BE marks and nothing else", () => {
    expect(detectByteOrderMark(Buffer.from([0xef, 0xbb, 0xbf, 0x41]))).toEqual({ encoding: "utf-8-bom", length: 3 });
    expect(detectByteOrderMark(Buffer.from([0xff, 0xfe, 0x41, 0x00]))).toEqual({ encoding: "utf-16le", length: 2 });
    expect(detectByteOrderMark(Buffer.from([0xfe, 0xff, 0x00, 0x41]))).toEqual({ encoding: "utf-16be", length: 2 });
    expect(detectByteOrderMark(Buffer.from("Device", "utf8"))).toBeUndefined();
    expect(detectByteOrderMark(Buffer.from([0xef, 0xbb]))).toBeUndefined();
  });
});

describe("transcoding to UTF-8", () => {
  const text = "Serial,Group Tag\r\nA1,Zürich-Süd 😀\r\n";

  it("passes UTF-8 through, with or without BOM, at every chunk size", () => {
    for (const size of [1, 2, 3, 5, 64]) {
      expect(transcode(Buffer.from(text, "utf8"), size)).toMatchObject({ text, label: "utf-8" });
      expect(transcode(withBom([0xef, 0xbb, 0xbf], Buffer.from(text, "utf8")), size)).toMatchObject({ text, label: "utf-8-bom" });
    }
  });

  it("decodes UTF-16LE and UTF-16BE with BOM, even when a chunk splits a character or a surrogate pair", () => {
    const le = Buffer.from(text, "utf16le");
    const be = Buffer.from(le).swap16();
    for (const size of [1, 2, 3, 7, 64]) {
      expect(transcode(withBom([0xff, 0xfe], le), size)).toMatchObject({ text, label: "utf-16le" });
      expect(transcode(withBom([0xfe, 0xff], be), size)).toMatchObject({ text, label: "utf-16be" });
    }
  });

  it("reads bytes that are not UTF-8 as Windows-1252 for the whole file", () => {
    const ansi = Buffer.from("Serial,Group Tag\r\nA1,Zürich-Süd\r\n", "latin1");
    for (const size of [1, 4, 64]) {
      expect(transcode(ansi, size)).toMatchObject({ text: "Serial,Group Tag\r\nA1,Zürich-Süd\r\n", label: "windows-1252" });
    }
  });

  it("decides Windows-1252 even when the first accent lies far beyond the first chunk (hashes are ASCII)", () => {
    const ascii = "A".repeat(200_000);
    const bytes = Buffer.concat([Buffer.from(ascii), Buffer.from([0xe9, 0x2c, 0x80])]);
    const result = transcode(bytes, 65_536);
    expect(result.label).toBe("windows-1252");
    expect(result.text.endsWith("é,€")).toBe(true);
    expect(result.labels).toEqual(["utf-8", "windows-1252"]);
  });

  it("keeps UTF-8 once decided and reads a later invalid byte as Windows-1252 (an 'ANSI' tool appended to the file)", () => {
    const bytes = Buffer.concat([Buffer.from("A,Zürich\n", "utf8"), Buffer.alloc(70_000, 0x41), Buffer.from("\nB,Gen\xe8ve\n", "latin1")]);
    const result = transcode(bytes, 65_536);
    expect(result.label).toBe("utf-8");
    expect(result.text.startsWith("A,Zürich\n")).toBe(true);
    expect(result.text.endsWith("\nB,Genève\n")).toBe(true);
  });

  it("treats an unfinished UTF-8 sequence at the very end as Windows-1252", () => {
    expect(transcode(Buffer.from([0x41, 0xc3]), 1).text).toBe("AÃ");
  });

  it("handles empty and BOM-only input", () => {
    expect(transcode(Buffer.alloc(0))).toMatchObject({ text: "", label: "utf-8" });
    expect(transcode(Buffer.from([0xef, 0xbb, 0xbf]))).toMatchObject({ text: "", label: "utf-8-bom" });
    expect(transcode(Buffer.from([0xff, 0xfe]))).toMatchObject({ text: "", label: "utf-16le" });
  });
});

describe("Windows-1252 table", () => {
  // Node's own TextDecoder("windows-1252") decodes 0x80–0x9F as Latin-1 controls, so the table is checked directly.
  it("maps 0x80–0x9F to the WHATWG windows-1252 characters and the rest to the same code point", () => {
    const high = Buffer.from(Array.from({ length: 32 }, (_, i) => 0x80 + i));
    expect(windows1252ToUtf8(high).toString("utf8")).toBe("€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ");
    const rest = Buffer.from(Array.from({ length: 256 }, (_, i) => i).filter((i) => i < 0x80 || i > 0x9f));
    expect(windows1252ToUtf8(rest).toString("utf8")).toBe(rest.toString("latin1"));
  });
});

describe("UTF-8 helpers", () => {
  it("finds the unfinished sequence at the end of a chunk", () => {
    const euro = Buffer.from("€", "utf8"); // 3 bytes
    expect(incompleteTailLength(Buffer.from("abc"))).toBe(0);
    expect(incompleteTailLength(euro)).toBe(0);
    expect(incompleteTailLength(euro.subarray(0, 1))).toBe(1);
    expect(incompleteTailLength(euro.subarray(0, 2))).toBe(2);
    expect(incompleteTailLength(Buffer.from("😀", "utf8").subarray(0, 3))).toBe(3);
  });

  it("repairs only the invalid bytes, keeping valid sequences", () => {
    const bytes = Buffer.concat([Buffer.from("é", "utf8"), Buffer.from([0xe9]), Buffer.from("€", "utf8"), Buffer.from([0xed, 0xa0, 0x80])]);
    expect(repairUtf8(bytes).toString("utf8")).toBe("éé€í\u00a0€");
  });
});
