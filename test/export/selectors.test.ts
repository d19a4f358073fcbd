import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/errors.js";
import { parseWhere, selects } from "../../src/export/selectors.js";

const HP = { groupTag: "Sales", manufacturer: "HP", model: "HP EliteBook 840 G10", purchaseOrderIdentifier: "PO-1" };

describe("--where selectors (parseWhere, selects)", () => {
  it("matches whole values, case-insensitively, every clause", () => {
    expect(selects(parseWhere("manufacturer=hp"), HP)).toBe(true);
    expect(selects(parseWhere("manufacturer=H"), HP)).toBe(false);
    expect(selects(parseWhere("group-tag=Sales and purchase-order=po-1"), HP)).toBe(true);
    expect(selects(parseWhere("group-tag=Sales AND model=other"), HP)).toBe(false);
    expect(selects(parseWhere("model= HP EliteBook 840 G10 "), HP)).toBe(true);
    expect(selects(undefined, HP)).toBe(true);
  });

  it("an empty group-tag selects devices without a tag (empty, null or absent)", () => {
    const untagged = parseWhere("group-tag=");
    expect(untagged.clauses).toEqual([{ field: "group-tag", value: "" }]);
    expect(selects(untagged, { groupTag: "" })).toBe(true);
    expect(selects(untagged, { groupTag: null })).toBe(true);
    expect(selects(untagged, {})).toBe(true);
    expect(selects(untagged, HP)).toBe(false);
    expect(selects(parseWhere("group-tag='' and manufacturer=HP"), { ...HP, groupTag: "" })).toBe(true);
  });

  it("quoted values may hold ' and ' and doubled quotes", () => {
    expect(parseWhere("group-tag='Research and Development' and model=X").clauses).toEqual([
      { field: "group-tag", value: "RESEARCH AND DEVELOPMENT" },
      { field: "model", value: "X" },
    ]);
    expect(parseWhere(`group-tag='O''Brien'`).clauses[0]?.value).toBe("O'BRIEN");
    expect(parseWhere(`group-tag="say ""hi"""`).clauses[0]?.value).toBe('SAY "HI"');
  });

  it("refuses malformed text with one line naming the problem", () => {
    expect(() => parseWhere("colour=red")).toThrow(/unknown field 'colour' \(fields: group-tag, manufacturer, model, purchase-order\)/);
    expect(() => parseWhere("manufacturer")).toThrow(/'manufacturer' is not FIELD=VALUE/);
    expect(() => parseWhere("model=a and model=b")).toThrow(/'model' is given twice/);
    expect(() => parseWhere("")).toThrow(UsageError);
  });
});
