import { writeFileSync } from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { openDeviceListReader, type ListRowResult, type ListField } from "../../src/devices/list-reader.js";
import { EXPORT_CSV_COLUMNS } from "../../src/export/columns.js";
import { openReportWriter } from "../../src/report/writer.js";
import { fileTempDir } from "../support/temp-dir.js";

const dir = fileTempDir("list-");
const ALL: readonly ListField[] = ["groupTag", "assignedUserPrincipalName", "displayName"];

function write(name: string, text: string | Buffer): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

async function read(inputs: readonly string[], fields: readonly ListField[] = ALL, stdin?: Readable) {
  const reader = openDeviceListReader(inputs, { fields, ...(stdin ? { stdin } : {}) });
  const rows: ListRowResult[] = [];
  for await (const row of reader.rows()) rows.push(row);
  return { rows, files: reader.files };
}

describe("device list reader", () => {
  it("reads an exported CSV back (BOM, CRLF, extra columns, the formula guard undone): empty cells are empty values", async () => {
    const file = path.join(dir, "export.csv");
    const writer = await openReportWriter(file, EXPORT_CSV_COLUMNS, { format: "csv" });
    await writer.write({ id: "a-1", serialNumber: "SN-1", groupTag: "=SUM(A1)", userPrincipalName: "ann@contoso.com", displayName: "PC-1", manufacturer: "HP" });
    await writer.write({ id: "a-2", serialNumber: "SN-2", groupTag: null, userPrincipalName: "", displayName: "" });
    await writer.close();
    const { rows, files } = await read([file]);
    expect(files[0]).toMatchObject({ error: null, rows: 2, encoding: "utf-8-bom" });
    expect(rows).toEqual([
      { status: "valid", location: { file, line: 2 }, device: { serialNumber: "SN-1", groupTag: "=SUM(A1)", assignedUserPrincipalName: "ann@contoso.com", displayName: "PC-1" } },
      { status: "valid", location: { file, line: 3 }, device: { serialNumber: "SN-2", groupTag: "", assignedUserPrincipalName: "", displayName: "" } },
    ]);
  });

  it("leaves a field out when its column is absent, and reads only the fields asked for", async () => {
    const file = write("serials.csv", "Serial Number;Group Tag;Notes\nSN-1;Sales;x\n  SN-2 ;;y\n");
    const { rows } = await read([file]);
    expect(rows.map((r) => r.status === "valid" && r.device)).toEqual([
      { serialNumber: "SN-1", groupTag: "Sales" },
      { serialNumber: "SN-2", groupTag: "" },
    ]);
    const onlySerials = await read([file], []);
    expect(onlySerials.rows.map((r) => r.status === "valid" && r.device)).toEqual([{ serialNumber: "SN-1" }, { serialNumber: "SN-2" }]);
  });

  it("rejects bad values with the column named, repeats as duplicates (any case, across files), and an empty serial", async () => {
    const first = write("bad.csv", "Device Serial Number,Assigned User,Display Name,Group Tag\nSN-1,not-a-upn,,\nSN-2,,THIS-NAME-IS-TOO-LONG,\nSN-3,,12345,\n,,,Sales\nSN-4,,PC-4,\n");
    const second = write("again.csv", "Device Serial Number\nsn-4\n");
    const { rows } = await read([first, second]);
    expect(rows.map((r) => [r.location.line, r.status, "code" in r ? r.code : "", "column" in r ? r.column : ""])).toEqual([
      [2, "invalid", "upn_invalid", "Assigned User"],
      [3, "invalid", "display_name_too_long", "Display Name"],
      [4, "invalid", "display_name_invalid", "Display Name"],
      [5, "invalid", "serial_missing", "Device Serial Number"],
      [6, "valid", "", ""],
      [2, "duplicate", "duplicate_serial", ""],
    ]);
    expect(rows[5]).toMatchObject({ serialNumber: "sn-4", firstSeen: { file: first, line: 6 }, message: `Device Serial Number 'sn-4' already appears on line 6 of ${first}; only the first is used` });
    // A column not asked for is not validated: deregister ignores a bad user.
    expect((await read([first], [])).rows.filter((r) => r.status === "invalid").map((r) => r.location.line)).toEqual([5]);
  });

  it("says which column is missing, quoting a header only when it looks like one", async () => {
    const noSerial = write("noserial.csv", "Group Tag,Model\nSales,X\n");
    expect((await read([noSerial])).files[0]?.error).toBe("missing required column 'Device Serial Number' (found: 'Group Tag', 'Model')");
    const notCsv = write("secret.txt", "s3cr3tV4lu3-that-is-long-and-mixed-123\n");
    expect((await read([notCsv])).files[0]?.error).toMatch(/^missing required column 'Device Serial Number': the first line is not a CSV header/);
  });

  it("reads UTF-16 files from Windows tools and standard input", async () => {
    const text = "\uFEFFDevice Serial Number,Group Tag\r\nSN-9,Café\r\n";
    const file = write("utf16.csv", Buffer.from(text, "utf16le"));
    expect((await read([file])).rows).toEqual([{ status: "valid", location: { file, line: 2 }, device: { serialNumber: "SN-9", groupTag: "Café" } }]);
    const piped = await read(["-"], ["groupTag"], Readable.from([Buffer.from("Serial,OrderID\nSN-7,PO\n")]));
    expect(piped.rows).toEqual([{ status: "valid", location: { file: "-", line: 2 }, device: { serialNumber: "SN-7", groupTag: "PO" } }]);
  });
});
