import { describe, expect, it } from "vitest";
import { decodeLine, encodeRecord } from "../../src/state/codec.js";

const strip = (line: string): string => line.replace(/\n$/, "");

describe("journal line codec", () => {
  it("round-trips a record, and every line is itself JSON", () => {
    const record = { type: "device-outcome", serial: "SÉRIE-ü-😀", n: 3, list: [[0, 2, "x"]] };
    const line = encodeRecord(record);
    expect(line.endsWith("\n")).toBe(true);
    expect(line.slice(0, -1)).not.toContain("\n");
    expect(JSON.parse(line)).toEqual({ r: record, crc: expect.stringMatching(/^[0-9a-f]{8}$/) });
    expect(decodeLine(strip(line))).toEqual(record);
  });

  it("keeps newlines in values escaped, so a record is always one line", () => {
    const line = encodeRecord({ message: "two\nlines\r\n" });
    expect(line.indexOf("\n")).toBe(line.length - 1);
    expect(decodeLine(strip(line))).toEqual({ message: "two\nlines\r\n" });
  });

  it("rejects a line whose content no longer matches its checksum", () => {
    const line = strip(encodeRecord({ type: "session", pid: 123 }));
    expect(decodeLine(line.replace("123", "124"))).toBeUndefined();
    expect(decodeLine(line.replace(/"crc":"[0-9a-f]{8}"/, '"crc":"00000000"'))).toBeUndefined();
  });

  it("rejects torn lines: any prefix of a record fails", () => {
    const line = strip(encodeRecord({ type: "upload-planned", rows: [[0, 2, "SER1"], [0, 3, "SER2"]] }));
    for (let cut = 0; cut < line.length; cut++) expect(decodeLine(line.slice(0, cut)), `cut at ${cut}`).toBeUndefined();
  });

  it("rejects what is not a journal line: other JSON, zeros a crash left, empty lines", () => {
    expect(decodeLine('{"type":"session"}')).toBeUndefined();
    expect(decodeLine("\0".repeat(64))).toBeUndefined();
    expect(decodeLine("")).toBeUndefined();
    expect(decodeLine('{"r":,"crc":"00000000"}')).toBeUndefined();
  });
});
