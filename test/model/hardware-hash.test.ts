import { describe, expect, it } from "vitest";
import { checkHardwareHash } from "../../src/model/hardware-hash.js";
import { HARDWARE_HASH_MAX_BYTES, HARDWARE_HASH_MIN_BYTES } from "../../src/model/limits.js";

const blob = (size: number) => Buffer.from(Array.from({ length: size }, (_, i) => (i * 73 + 41) % 256));

describe("hardware hash", () => {
  it("accepts standard padded base64 of a modern 3–4 KB hash unchanged", () => {
    const hash = blob(3500).toString("base64");
    expect(checkHardwareHash(hash)).toEqual({ ok: true, value: hash });
    expect(checkHardwareHash(`  ${hash}\t`)).toEqual({ ok: true, value: hash });
  });

  it("accepts a legacy 128-byte hash", () => {
    expect(checkHardwareHash(blob(128).toString("base64")).ok).toBe(true);
  });

  it("repairs missing padding, as Microsoft documents, and wrong padding", () => {
    for (const size of [3001, 3002]) {
      const padded = blob(size).toString("base64");
      const bare = padded.replace(/=+$/, "");
      expect(checkHardwareHash(bare)).toEqual({ ok: true, value: padded });
      expect(checkHardwareHash(`${bare}===`)).toEqual({ ok: true, value: padded });
    }
  });

  it("translates base64url to standard base64", () => {
    const standard = blob(3002).toString("base64");
    expect(standard).toMatch(/[+/]/);
    expect(checkHardwareHash(blob(3002).toString("base64url"))).toEqual({ ok: true, value: standard });
  });

  it("names the first character that is not base64 and its 1-based position", () => {
    const hash = blob(3000).toString("base64");
    expect(checkHardwareHash(`${hash.slice(0, 16)}#${hash.slice(17)}`)).toEqual({
      ok: false,
      code: "hash_not_base64",
      reason: "is not valid base64 (character '#' at position 17)",
    });
    expect(checkHardwareHash(`${hash.slice(0, 9)} ${hash.slice(9)}`)).toMatchObject({ reason: "is not valid base64 (character ' ' (space) at position 10)" });
    expect(checkHardwareHash(`${hash.slice(0, 4)}=${hash.slice(5)}`)).toMatchObject({ reason: "is not valid base64 (character '=' at position 5)" });
    expect(checkHardwareHash(`${hash.slice(0, 4)}é${hash.slice(5)}`)).toMatchObject({ reason: "is not valid base64 (character 'é' (U+00E9) at position 5)" });
  });

  it("rejects a length no base64 value can have", () => {
    const bare = blob(3000).toString("base64"); // 4000 characters
    expect(checkHardwareHash(`${bare}A`)).toEqual({
      ok: false,
      code: "hash_not_base64",
      reason: "is not valid base64 (a length of 4001 characters is impossible: the value was cut or altered)",
    });
  });

  it("rejects empty, padding-only, too short and too long values with their own codes", () => {
    expect(checkHardwareHash("  ")).toEqual({ ok: false, code: "hash_missing", reason: "is empty" });
    expect(checkHardwareHash("==")).toMatchObject({ ok: false, code: "hash_not_base64" });
    expect(checkHardwareHash(blob(HARDWARE_HASH_MIN_BYTES - 1).toString("base64"))).toEqual({
      ok: false,
      code: "hash_too_short",
      reason: `decodes to ${HARDWARE_HASH_MIN_BYTES - 1} bytes; a hardware hash has at least ${HARDWARE_HASH_MIN_BYTES} bytes (truncated?)`,
    });
    expect(checkHardwareHash(blob(HARDWARE_HASH_MIN_BYTES).toString("base64")).ok).toBe(true);
    expect(checkHardwareHash(blob(HARDWARE_HASH_MAX_BYTES).toString("base64")).ok).toBe(true);
    expect(checkHardwareHash(blob(HARDWARE_HASH_MAX_BYTES + 1).toString("base64"))).toMatchObject({ ok: false, code: "hash_too_long" });
  });

  it("gives a value that decodes to exactly the original bytes", () => {
    for (const size of [64, 128, 3000, 3001, 3002, 4096]) {
      const bytes = blob(size);
      const result = checkHardwareHash(bytes.toString("base64url"));
      expect(result.ok && Buffer.from(result.value, "base64").equals(bytes)).toBe(true);
    }
  });
});
