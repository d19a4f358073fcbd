import { describe, expect, it } from "vitest";
import { checkGroupTag } from "../../src/model/group-tag.js";
import { GROUP_TAG_MAX_LENGTH, SERIAL_NUMBER_MAX_LENGTH } from "../../src/model/limits.js";
import { checkProductKey } from "../../src/model/product-key.js";
import { checkSerialNumber } from "../../src/model/serial-number.js";

describe("serial number", () => {
  it("is required, trimmed, printable ASCII, of sane length", () => {
    expect(checkSerialNumber("  PF3ABC12 ")).toEqual({ ok: true, value: "PF3ABC12" });
    expect(checkSerialNumber("To be filled by O.E.M.")).toEqual({ ok: true, value: "To be filled by O.E.M." });
    expect(checkSerialNumber(" ")).toEqual({ ok: false, code: "serial_missing", reason: "is empty" });
    expect(checkSerialNumber("S".repeat(SERIAL_NUMBER_MAX_LENGTH)).ok).toBe(true);
    expect(checkSerialNumber("S".repeat(SERIAL_NUMBER_MAX_LENGTH + 1))).toEqual({
      ok: false,
      code: "serial_too_long",
      reason: `is ${SERIAL_NUMBER_MAX_LENGTH + 1} characters long; the maximum is ${SERIAL_NUMBER_MAX_LENGTH}`,
    });
    expect(checkSerialNumber("AB\u0007C")).toEqual({
      ok: false,
      code: "serial_not_printable",
      reason: "contains U+0007 at position 3; serial numbers are printable ASCII",
    });
    expect(checkSerialNumber("SN\u2013123")).toMatchObject({ code: "serial_not_printable", reason: "contains '–' (U+2013) at position 3; serial numbers are printable ASCII" });
  });
});

describe("product key", () => {
  it("is optional and, when present, five groups of five letters or digits (upper-cased) or a 13-digit PKID", () => {
    expect(checkProductKey("")).toEqual({ ok: true, value: undefined });
    expect(checkProductKey(" 3345678901234 ")).toEqual({ ok: true, value: "3345678901234" });
    expect(checkProductKey(" ")).toEqual({ ok: true, value: undefined });
    expect(checkProductKey("nkjfk-gpp2q-3mq9g-vq8wb-7pq8x")).toEqual({ ok: true, value: "NKJFK-GPP2Q-3MQ9G-VQ8WB-7PQ8X" });
    for (const bad of ["NKJFK-GPP2Q-3MQ9G-VQ8WB", "NKJFKGPP2Q3MQ9GVQ8WB7PQ8X", "NKJFK-GPP2Q-3MQ9G-VQ8WB-7PQ8", "NKJF!-GPP2Q-3MQ9G-VQ8WB-7PQ8X", "334567890123", "33456789012345"]) {
      expect(checkProductKey(bad)).toEqual({
        ok: false,
        code: "product_key_format",
        reason:
          "is neither a product key XXXXX-XXXXX-XXXXX-XXXXX-XXXXX (five groups of five letters or digits) nor a 13-digit product key ID",
      });
    }
  });
});

describe("group tag", () => {
  it("is optional free text with accents, without control characters, of sane length", () => {
    expect(checkGroupTag("")).toEqual({ ok: true, value: undefined });
    expect(checkGroupTag(" Zürich-Süd ")).toEqual({ ok: true, value: "Zürich-Süd" });
    expect(checkGroupTag("G".repeat(GROUP_TAG_MAX_LENGTH)).ok).toBe(true);
    expect(checkGroupTag("G".repeat(GROUP_TAG_MAX_LENGTH + 1))).toMatchObject({ ok: false, code: "group_tag_too_long" });
    expect(checkGroupTag("Lab\n3")).toEqual({ ok: false, code: "group_tag_not_printable", reason: "contains the control character U+000A at position 4" });
  });
});
