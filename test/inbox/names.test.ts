/** Names in done/ and failed/: companions, and a free name when one is taken. */
import { describe, expect, it } from "vitest";
import { companionNames, freeName } from "../../src/inbox/names.js";

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
});
