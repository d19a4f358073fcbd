import { describe, expect, it } from "vitest";
import { mapHeader } from "../../src/csv/header.js";
import { forgetSecrets, rememberSecrets } from "../../src/redact.js";

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

  it("shortens long header names in the message", () => {
    const long = "Model ".repeat(20);
    const mapping = mapHeader(["Name", long.slice(0, 38)]);
    expect(!mapping.ok && mapping.error).toBe(`missing required columns 'Device Serial Number' and 'Hardware Hash' (found: 'Name', '${long.slice(0, 31)}…')`);
  });

  // A file that is not a CSV (a secret, a token, /etc/passwd) read as one must never be echoed into a message.
  it.each([
    ["a client secret", ["Xy8Q~abcDEF123.ghiJKL456_mnoPQR789-stuVW"]],
    ["a token", ["ghp_Zx9Zx9Zx9Zx9Zx9Zx9Zx9Zx9Zx9Zx9Zx9Zx9"]],
    ["a passwd line", ["root:x:0:0:root:/root:/bin/bash"]],
    ["a single word", ["hunter2hunter2"]],
    ["a control character", ["a\u0001b", "Model"]],
    ["a token among names", ["Serial", "Zx9Zx9Zx9Zx9Zx9Zx9Zx9"]],
    ["a key=value pair", ["password=correct horse", "user"]],
  ])("describes a first line that is not a header (%s) without quoting it", (_, headers) => {
    const mapping = mapHeader(headers);
    const characters = headers.join(",").length;
    const error = mapping.ok ? "" : mapping.error;
    expect(error).toMatch(/^missing required columns? .*'Hardware Hash': the first line is not a CSV header \(\d+ characters\)$/);
    expect(error.endsWith(`(${characters} characters)`)).toBe(true);
    for (const header of headers) expect(error).not.toContain(header);
  });

  it("quotes a single column only when it is one of ours", () => {
    expect(mapHeader(["Device Serial Number"])).toEqual({ ok: false, error: "missing required column 'Hardware Hash' (found: 'Device Serial Number')" });
  });

  it("censors a remembered secret among header names that are quoted", () => {
    rememberSecrets("Confidential Name");
    try {
      expect(mapHeader(["Serial", "Confidential Name"])).toEqual({ ok: false, error: "missing required column 'Hardware Hash' (found: 'Serial', '[redacted]')" });
    } finally {
      forgetSecrets();
    }
  });
});
