import { describe, expect, it } from "vitest";
import { editDistance, nearestWord } from "../../src/util/edit-distance.js";

describe("editDistance", () => {
  it("counts insertions, deletions and substitutions", () => {
    expect(editDistance("", "")).toBe(0);
    expect(editDistance("abc", "abc")).toBe(0);
    expect(editDistance("", "abc")).toBe(3);
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(editDistance("json", "jsn")).toBe(1);
  });
});

describe("nearestWord", () => {
  const flags = ["batch-size", "concurrency", "json", "no-verify", "verify", "state-dir"];
  it("finds the flag a typo meant, ignoring case, - and _", () => {
    expect(nearestWord("batchsize", flags)).toBe("batch-size");
    expect(nearestWord("Batch_Size", flags)).toBe("batch-size");
    expect(nearestWord("jsn", flags)).toBe("json");
    expect(nearestWord("concurency", flags)).toBe("concurrency");
    expect(nearestWord("no-verfy", flags)).toBe("no-verify");
    expect(nearestWord("statedir", flags)).toBe("state-dir");
  });
  it("suggests nothing far off, and nothing for an empty word", () => {
    expect(nearestWord("bogus", flags)).toBeUndefined();
    expect(nearestWord("frobnicate", flags)).toBeUndefined();
    expect(nearestWord("", flags)).toBeUndefined();
  });
  it("prefers the closest, then the first listed", () => {
    expect(nearestWord("verif", ["verify", "no-verify"])).toBe("verify");
    expect(nearestWord("ab", ["ac", "ad"])).toBe("ac");
  });
});
