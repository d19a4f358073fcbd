import { describe, expect, it } from "vitest";
import { GraphRequestError } from "../../src/graph/errors/index.js";
import { learnHyphenRefusal, serialContainsFilter } from "../../src/graph/serial-filter.js";
import { ServiceTraits } from "../../src/graph/service-traits.js";

const badRequest = new GraphRequestError(
  { method: "GET", url: "https://graph.test/v1.0/x", clientRequestId: "c", headers: {} },
  { status: 400, headers: {}, body: { error: { code: "BadRequest", message: "Invalid filter" } } },
);

describe("serialContainsFilter", () => {
  it("uses the whole serial (quotes doubled) while the service takes hyphens", () => {
    const traits = new ServiceTraits();
    expect(serialContainsFilter(" PF-3X'9 ", traits)).toBe("contains(serialNumber,'PF-3X''9')");
  });

  it("once hyphens are refused: the longest hyphen-free part, or a listing when every part is short", () => {
    const traits = new ServiceTraits();
    traits.learn("hyphenContainsWorks", false);
    expect(serialContainsFilter("CZC-12345678-A", traits)).toBe("contains(serialNumber,'12345678')");
    expect(serialContainsFilter("NOHYPHEN01", traits)).toBe("contains(serialNumber,'NOHYPHEN01')");
    expect(serialContainsFilter("AB-CD-EF", traits)).toBeUndefined();
  });
});

describe("learnHyphenRefusal", () => {
  it("learns from a 400 to a hyphenated serial, once; a lookup sent before that is recognised too", () => {
    const traits = new ServiceTraits();
    const heard: boolean[] = [];
    traits.onLearn((_name, value) => heard.push(value));
    expect(learnHyphenRefusal(badRequest, "AB-1234", traits)).toBe(true);
    expect(learnHyphenRefusal(badRequest, "CD-5678", traits)).toBe(true);
    expect(heard).toEqual([false]);
  });

  it("a 400 to a serial without a hyphen, or another error, teaches nothing", () => {
    const traits = new ServiceTraits();
    expect(learnHyphenRefusal(badRequest, "AB1234", traits)).toBe(false);
    expect(learnHyphenRefusal(new Error("x"), "AB-1234", traits)).toBe(false);
    expect(traits.get("hyphenContainsWorks")).toBeUndefined();
  });
});
