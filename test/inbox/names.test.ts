/** Names in done/ and failed/: companions, and a free name when one is taken. */
import { describe, expect, it } from "vitest";
import { companionNames, freeName, NAME_MAX_BYTES, printableName } from "../../src/inbox/names.js";

const AT = Date.parse("2025-01-02T03:04:05.678Z");

describe("names", () => {
  it("report and note sit beside the file under its full name", () => {
    expect(companionNames("devices.csv", "csv")).toEqual({ file: "devices.csv", report: "devices.csv.report.csv", note: "devices.csv.error.txt" });
    expect(companionNames("devices.tsv", "jsonl").report).toBe("devices.tsv.report.jsonl");
  });

  it("keeps the name when it and its companions are free", () => {
    expect(freeName("devices.csv", "csv", () => false, AT)).toBe("devices.csv");
  });

  it("a taken file, report or note name gives the file a time suffix before its extension", () => {
    for (const taken of ["devices.csv", "devices.csv.report.csv", "devices.csv.error.txt"]) {
      expect(freeName("devices.csv", "csv", (n) => n === taken, AT), taken).toBe("devices-20250102T030405Z.csv");
    }
    // Another format's report does not collide.
    expect(freeName("devices.csv", "csv", (n) => n === "devices.csv.report.jsonl", AT)).toBe("devices.csv");
  });

  it("then a counter, when the stamped name is taken too (the same name twice in one second)", () => {
    const taken = new Set(["devices.csv", "devices-20250102T030405Z.csv", "devices-20250102T030405Z-2.csv.report.csv"]);
    expect(freeName("devices.csv", "csv", (n) => taken.has(n), AT)).toBe("devices-20250102T030405Z-3.csv");
  });

  it("names without an extension get the suffix at the end", () => {
    expect(freeName("devices", "csv", (n) => n === "devices", AT)).toBe("devices-20250102T030405Z");
  });

  it("a name whose companions would pass 255 bytes keeps its start, then ~, 8 hex digits of its name and its extension", () => {
    const long = `${"d".repeat(251)}.csv`;
    const fitted = freeName(long, "jsonl", () => false, AT);
    expect(fitted).toMatch(/^d+~[0-9a-f]{8}\.csv$/);
    for (const name of Object.values(companionNames(fitted, "jsonl"))) expect(Buffer.byteLength(name), name).toBeLessThanOrEqual(NAME_MAX_BYTES);
    expect(Buffer.byteLength(`${fitted}.report.jsonl`)).toBe(NAME_MAX_BYTES);
    // Distinct long names stay distinct; the same one always gets the same name.
    expect(freeName(`${"d".repeat(250)}e.csv`, "jsonl", () => false, AT)).not.toBe(fitted);
    expect(freeName(long, "jsonl", () => false, AT)).toBe(fitted);
  });

  it("a long name taken already gets its time suffix within 255 bytes, never inside a multi-byte character", () => {
    const long = `${"é".repeat(125)}.tsv`;
    const first = freeName(long, "csv", () => false, AT);
    const second = freeName(long, "csv", (n) => n.startsWith(first), AT);
    expect(second).toMatch(/^é+~[0-9a-f]{8}-20250102T030405Z\.tsv$/);
    for (const name of [first, second]) expect(Buffer.byteLength(`${name}.report.csv`)).toBeLessThanOrEqual(NAME_MAX_BYTES);
    expect(second).not.toContain("\uFFFD");
  });

  it("names are printed with control characters escaped and nothing else changed", () => {
    expect(printableName("evil\n\u001b[31mred\u0007.csv")).toBe("evil\\n\\u001b[31mred\\u0007.csv");
    expect(printableName("a\tb\rc\u202ed\u0085.csv")).toBe("a\\tb\\rc\\u202ed\\u0085.csv");
    expect(printableName("Gerät ü 設備.csv")).toBe("Gerät ü 設備.csv");
  });
});

