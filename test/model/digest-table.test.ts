import { describe, expect, it } from "vitest";
import { digestInto, DigestTable } from "../../src/model/digest-table.js";

const digest = (text: string) => digestInto(text, new Uint32Array(4));

describe("digest table", () => {
  it("digests text into the first 128 bits of its SHA-1", () => {
    // SHA-1("abc") = a9993e36 4706816a ba3e2571 7850c26c 9cd0d89d
    expect([...digest("abc")].map((word) => word.toString(16).padStart(8, "0"))).toEqual(["a9993e36", "4706816a", "ba3e2571", "7850c26c"]);
  });

  it("stores and finds values across growth, and overwrites on set", () => {
    const table = new DigestTable(16);
    for (let i = 0; i < 5000; i++) table.set(digest(`serial-${i}`), i);
    expect(table.size).toBe(5000);
    for (let i = 0; i < 5000; i += 37) expect(table.get(digest(`serial-${i}`))).toBe(i);
    expect(table.get(digest("serial-5000"))).toBeUndefined();
    table.set(digest("serial-7"), 0);
    expect(table.get(digest("serial-7"))).toBe(0);
    expect(table.size).toBe(5000);
  });

  it("tells apart digests that share their first word (same bucket)", () => {
    const table = new DigestTable(16);
    table.set(Uint32Array.of(1, 2, 3, 4), 10);
    table.set(Uint32Array.of(1, 2, 3, 5), 11);
    expect(table.get(Uint32Array.of(1, 2, 3, 4))).toBe(10);
    expect(table.get(Uint32Array.of(1, 2, 3, 5))).toBe(11);
    expect(table.get(Uint32Array.of(1, 2, 3, 6))).toBeUndefined();
  });
});
