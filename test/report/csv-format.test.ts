import { describe, expect, it } from "vitest";
import { csvCell, csvLine, neutralizeFormula } from "../../src/report/csv-format.js";
import { jsonLine } from "../../src/report/jsonl-format.js";

describe("CSV cells", () => {
  it("quotes only when needed, doubling quotes", () => {
    expect(csvCell("plain")).toBe("plain");
    expect(csvCell("a,b")).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell("two\nlines")).toBe('"two\nlines"');
    expect(csvCell(" padded ")).toBe('" padded "');
  });

  it("writes numbers and booleans as such, null and undefined as empty", () => {
    expect(csvLine([12, -3, true, null, undefined, ""])).toBe("12,-3,true,,,\r\n");
  });

  it.each([
    ["=HYPERLINK(\"http://x\")", `"'=HYPERLINK(""http://x"")"`],
    ["+1-555", "'+1-555"],
    ["-2+3", "'-2+3"],
    ["@SUM(A1)", "'@SUM(A1)"],
    ["\tcmd", "'\tcmd"],
  ])("neutralises spreadsheet formulas: %j → %j", (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });

  it("quotes what contains the separator in use, and joins with it", () => {
    expect(csvLine(["a;b", "c,d", "e\tf"], ";")).toBe('"a;b";c,d;e\tf\r\n');
    expect(csvLine(["a;b", "c,d", "e\tf"], "\t")).toBe('a;b\tc,d\t"e\tf"\r\n');
    expect(csvCell("\tcmd", "\t")).toBe(`"'\tcmd"`);
  });

  it("leaves harmless text alone", () => {
    expect(neutralizeFormula("Sales = EMEA")).toBe("Sales = EMEA");
    expect(neutralizeFormula("")).toBe("");
  });
});

describe("JSON Lines records", () => {
  it("key values by header, keep them raw, and use null for absent ones", () => {
    const columns = [
      { header: "serial", value: (row: { s: string }) => row.s },
      { header: "note", value: () => undefined },
    ];
    expect(jsonLine(columns, { s: "=cmd" })).toBe('{"serial":"=cmd","note":null}\n');
  });
});
