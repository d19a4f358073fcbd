/** Whole-file values (--group-tag, --assigned-user): they win over the columns on every row, validated as a column's are. */
import { describe, expect, it } from "vitest";
import { inputDelimiter } from "../../src/csv/delimiter.js";
import { readAll } from "../support/device-csv.js";
import { fileTempDir } from "../support/temp-dir.js";
import { ADMIN_HEADER, validHash, writeTemp } from "./helpers.js";

const dir = fileTempDir();

describe("reader overrides", () => {
  it("replace the file's Group Tag and Assigned User on every row, and fill them where the file has no such column", async () => {
    const withColumns = writeTemp(dir, `${ADMIN_HEADER}\r\nOV-1,,${validHash()},Sales,old@contoso.com\r\nOV-2,,${validHash()},,\r\n`);
    const oemFile = writeTemp(dir, `Serial Number;Hardware Hash\r\nOV-3;${validHash()}\r\n`);
    const { rows } = await readAll([withColumns, oemFile], { overrides: { groupTag: "Kiosk-Süd", assignedUserPrincipalName: "kiosk@contoso.com" } });
    expect(rows.map((row) => (row.status === "valid" ? [row.device.serialNumber, row.device.groupTag, row.device.assignedUserPrincipalName] : row.status))).toEqual([
      ["OV-1", "Kiosk-Süd", "kiosk@contoso.com"],
      ["OV-2", "Kiosk-Süd", "kiosk@contoso.com"],
      ["OV-3", "Kiosk-Süd", "kiosk@contoso.com"],
    ]);
  });

  it("leaves the column alone for the field not given", async () => {
    const file = writeTemp(dir, `${ADMIN_HEADER}\r\nOV-4,,${validHash()},Sales,ana@contoso.com\r\n`);
    const { rows } = await readAll([file], { overrides: { groupTag: "Kiosk" } });
    expect(rows[0]).toMatchObject({ status: "valid", device: { groupTag: "Kiosk", assignedUserPrincipalName: "ana@contoso.com" } });
  });

  it("are validated as the column is: a bad value makes the row invalid with the column's code", async () => {
    const file = writeTemp(dir, `${ADMIN_HEADER}\r\nOV-5,,${validHash()},,\r\n`);
    const { rows } = await readAll([file], { overrides: { assignedUserPrincipalName: "not-a-upn" } });
    expect(rows[0]).toMatchObject({ status: "invalid", code: "upn_invalid" });
  });
});

describe("the report's default separator", () => {
  it("is the first input's whose header was read, else a comma", () => {
    expect(inputDelimiter([{ delimiter: null }, { delimiter: ";" }, { delimiter: "\t" }])).toBe(";");
    expect(inputDelimiter([{ delimiter: "\t" }, { delimiter: "," }])).toBe("\t");
    expect(inputDelimiter([{ delimiter: null }])).toBe(",");
    expect(inputDelimiter([])).toBe(",");
  });
});
