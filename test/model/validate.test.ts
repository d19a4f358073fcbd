import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { deviceInputSchema } from "../../src/model/schema.js";
import { validateDevice, validateDeviceWithSchema } from "../../src/model/validate.js";

const hash = Buffer.alloc(3000, 7).toString("base64");
const row = { serialNumber: "PF3A", hardwareIdentifier: hash, productKey: "", groupTag: "", assignedUserPrincipalName: "" };

describe("device validation (zod schema)", () => {
  it("gives a device with only the fields that have values", () => {
    expect(validateDevice(row)).toEqual({ ok: true, device: { serialNumber: "PF3A", hardwareIdentifier: hash } });
    const full = { ...row, productKey: "nkjfk-gpp2q-3mq9g-vq8wb-7pq8x", groupTag: " Sales ", assignedUserPrincipalName: "a@b.co" };
    expect(validateDevice(full)).toEqual({
      ok: true,
      device: { serialNumber: "PF3A", hardwareIdentifier: hash, productKey: "NKJFK-GPP2Q-3MQ9G-VQ8WB-7PQ8X", groupTag: "Sales", assignedUserPrincipalName: "a@b.co" },
    });
  });

  it("reports every problem of a row as field, code and readable reason, in column order", () => {
    const result = validateDevice({ ...row, serialNumber: "", hardwareIdentifier: "abc#", assignedUserPrincipalName: "nobody" });
    expect(result).toEqual({
      ok: false,
      problems: [
        { field: "serialNumber", code: "serial_missing", reason: "is empty" },
        { field: "hardwareIdentifier", code: "hash_not_base64", reason: "is not valid base64 (character '#' at position 4)" },
        {
          field: "assignedUserPrincipalName",
          code: "upn_invalid",
          reason: "'nobody' is not a valid user principal name: it has no '@' (expected name@domain.com)",
        },
      ],
    });
  });

  it("turns a non-text value into a plain problem, never a zod dump", () => {
    const result = validateDevice({ ...row, groupTag: 42 as unknown as string });
    expect(result).toEqual({ ok: false, problems: [{ field: "groupTag", code: "invalid_value", reason: "is not a text value" }] });
  });

  it("is a zod schema others can compose", () => {
    expect(deviceInputSchema.safeParse(row).success).toBe(true);
    expect(deviceInputSchema.safeParse({ ...row, serialNumber: " " }).success).toBe(false);
  });

  it("gives the same answer on its fast path as through the zod schema, for any input", () => {
    const text = fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.constantFrom("", " ", hash, `${hash.slice(0, 10)}#`, hash.replace(/=+$/, ""), "a@b.co", "nobody", "NKJFK-GPP2Q-3MQ9G-VQ8WB-7PQ8X", "Zürich", "x\n"),
    );
    fc.assert(
      fc.property(text, text, text, text, text, (serialNumber, hardwareIdentifier, productKey, groupTag, assignedUserPrincipalName) => {
        const input = { serialNumber, hardwareIdentifier, productKey, groupTag, assignedUserPrincipalName };
        expect(validateDevice(input)).toEqual(validateDeviceWithSchema(input));
      }),
      { numRuns: 2000 },
    );
  });
});
