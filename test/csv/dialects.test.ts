import { describe, expect, it } from "vitest";
import { readAll } from "../support/device-csv.js";
import { fileTempDir } from "../support/temp-dir.js";
import { ADMIN_HEADER, validHash, writeTemp } from "./helpers.js";

const dir = fileTempDir();

describe("CSV dialects", () => {
  it("reads quoted and unquoted values, CRLF and LF, blank lines and surrounding white space", async () => {
    const [a, b, c] = [validHash(), validHash(), validHash()];
    const text = `${ADMIN_HEADER}\r\n"SN-A" , "" , "${a}" , "Sales, EMEA" , "anna.berg@contoso.com"\r\n\r\n   SN-B,,${b},  Kiosk  ,\n\n\nSN-C,,${c},,`;
    const { rows, files } = await readAll([writeTemp(dir, text)]);
    expect(files[0]).toMatchObject({ rows: 3, delimiter: ",", error: null });
    expect(rows.map((row) => row.status)).toEqual(["valid", "valid", "valid"]);
    expect(rows.map((row) => (row.status === "valid" ? row.device : undefined))).toEqual([
      { serialNumber: "SN-A", hardwareIdentifier: a, groupTag: "Sales, EMEA", assignedUserPrincipalName: "anna.berg@contoso.com" },
      { serialNumber: "SN-B", hardwareIdentifier: b, groupTag: "Kiosk" },
      { serialNumber: "SN-C", hardwareIdentifier: c },
    ]);
  });

  it("unescapes doubled quotes inside quoted values", async () => {
    const { rows } = await readAll([writeTemp(dir, `${ADMIN_HEADER}\nSN-Q,,${validHash()},"Lab ""3""",\n`)]);
    expect(rows[0]?.status === "valid" && rows[0].device.groupTag).toBe('Lab "3"');
  });

  it.each([
    [";", "semicolon"],
    ["\t", "tab"],
  ])("splits on %j when the header uses it, leaving commas inside values alone", async (delimiter) => {
    const header = ADMIN_HEADER.split(",").join(delimiter);
    const row = ["SN-D", "", validHash(), "Sales, EMEA", ""].join(delimiter);
    const { rows, files } = await readAll([writeTemp(dir, `${header}\r\n${row}\r\n`)]);
    expect(files[0]?.delimiter).toBe(delimiter);
    expect(rows[0]?.status === "valid" && rows[0].device.groupTag).toBe("Sales, EMEA");
  });

  it("skips lines that hold only delimiters (Excel leftovers): they carry no device", async () => {
    const { rows, files } = await readAll([writeTemp(dir, `${ADMIN_HEADER}\r\nSN-E,,${validHash()},,\r\n,,,,\r\n ; \r\n"","","","",""\r\n`)]);
    // ' ; ' is one non-empty value in a ',' file: it is a row, and an invalid one.
    expect(files[0]?.rows).toBe(2);
    expect(rows.map((row) => row.status)).toEqual(["valid", "invalid"]);
  });

  it("flags a row with more values than the header (an unquoted delimiter shifted the columns)", async () => {
    const { rows } = await readAll([writeTemp(dir, `${ADMIN_HEADER}\r\nSN-F,,${validHash()},Sales,EMEA,\r\n`)]);
    expect(rows[0]).toMatchObject({
      status: "invalid",
      serialNumber: "SN-F",
      code: "too_many_fields",
      message: "the row has 6 fields but the header has 5: a value probably contains an unquoted ','",
    });
  });

  it("reads a short row's missing trailing values as empty", async () => {
    const { rows } = await readAll([writeTemp(dir, `${ADMIN_HEADER}\r\nSN-G,,${validHash()}\r\nSN-H\r\n`)]);
    expect(rows[0]?.status).toBe("valid");
    expect(rows[1]).toMatchObject({ status: "invalid", code: "hash_missing", column: "Hardware Hash", message: "Hardware Hash is empty" });
  });

  it("keeps a stray quote inside an unquoted value as text, for the validator to judge", async () => {
    const { rows, files } = await readAll([writeTemp(dir, `${ADMIN_HEADER}\r\nSN"I,,${validHash()},,\r\nSN-J,,${validHash()},,\r\n`)]);
    expect(files[0]?.error).toBeNull();
    expect(rows.map((row) => row.status)).toEqual(["valid", "valid"]);
    expect(rows[0]?.status === "valid" && rows[0].device.serialNumber).toBe('SN"I');
  });
});
