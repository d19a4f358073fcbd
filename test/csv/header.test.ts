import { describe, expect, it } from "vitest";
import { mapHeader } from "../../src/csv/header.js";

describe("header matching", () => {
  it("maps the admin center header", () => {
    const mapping = mapHeader(["Device Serial Number", "Windows Product ID", "Hardware Hash", "Group Tag", "Assigned User"]);
    expect(mapping).toEqual({
      ok: true,
      columns: {
        index: { serialNumber: 0, productKey: 1, hardwareIdentifier: 2, groupTag: 3, assignedUserPrincipalName: 4 },
        names: {
          serialNumber: "Device Serial Number",
          productKey: "Windows Product ID",
          hardwareIdentifier: "Hardware Hash",
          groupTag: "Group Tag",
          assignedUserPrincipalName: "Assigned User",
        },
        width: 5,
      },
    });
  });

  it.each([
    [["SerialNumber", "HardwareHash"]],
    [["serial number", "hardwareidentifier"]],
    [["  DEVICE SERIAL NUMBER ", "Hardware  Hash"]],
    [["\uFEFFSerial Number", "HARDWAREHASH"]],
  ])("accepts aliases in any case and spacing: %j", (headers) => {
    const mapping = mapHeader(headers);
    expect(mapping.ok && mapping.columns.index).toMatchObject({ serialNumber: 0, hardwareIdentifier: 1 });
  });

  it("maps every documented alias of the optional columns", () => {
    for (const [header, field] of [
      ["ProductKey", "productKey"],
      ["Product Key", "productKey"],
      ["GroupTag", "groupTag"],
      ["OrderID", "groupTag"],
      ["AssignedUser", "assignedUserPrincipalName"],
      ["assignedUserPrincipalName", "assignedUserPrincipalName"],
    ] as const) {
      const mapping = mapHeader(["Serial Number", "Hardware Hash", header]);
      expect(mapping.ok && mapping.columns.index[field], header).toBe(2);
    }
  });

  it("keeps the header as written for messages and ignores extra columns", () => {
    const mapping = mapHeader(["Device Serial Number", "Windows Product ID", "Hardware Hash", "Manufacturer name", "Device model"]);
    expect(mapping.ok).toBe(true);
    if (!mapping.ok) return;
    expect(mapping.columns.index.groupTag).toBe(-1);
    expect(mapping.columns.width).toBe(5);
  });

  it("names a missing required column and lists the headers found", () => {
    expect(mapHeader(["Serial", "Model"])).toEqual({
      ok: false,
      error: "missing required column 'Hardware Hash' (found: 'Serial', 'Model')",
    });
    expect(mapHeader(["Name", "Model"])).toEqual({
      ok: false,
      error: "missing required columns 'Device Serial Number' and 'Hardware Hash' (found: 'Name', 'Model')",
    });
  });

  it("refuses two columns that mean the same field", () => {
    const mapping = mapHeader(["Serial Number", "Hardware Hash", "Group Tag", "OrderID"]);
    expect(mapping).toEqual({ ok: false, error: "columns 'Group Tag' and 'OrderID' both mean Group Tag: keep one" });
  });

  it("recognises a first line that is a device row, not a header", () => {
    const mapping = mapHeader(["PF3ABC", "", "T0FmAwEAHAAAAAoA".repeat(10)]);
    expect(mapping.ok).toBe(false);
    expect(!mapping.ok && mapping.error).toMatch(/^no header line: the first line looks like a device row/);
  });

  it("escapes and shortens unreadable headers in the message", () => {
    const long = "Model ".repeat(20);
    const mapping = mapHeader(["a\u0001b", long]);
    expect(!mapping.ok && mapping.error).toBe(`missing required columns 'Device Serial Number' and 'Hardware Hash' (found: 'a\\u0001b', '${long.slice(0, 39)}…')`);
  });
});
