import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { serialNumber } from "../support/fixtures/device-values.js";
import { checkHardwareHash } from "../../src/model/hardware-hash.js";
import type { RowResult } from "../../src/model/device.js";
import { readAll } from "../support/device-csv.js";
import { FIXTURES } from "./helpers.js";

const at = (name: string) => join(FIXTURES, name);
const statuses = (rows: RowResult[]) => rows.map((row) => row.status);
const devices = (rows: RowResult[]) => rows.flatMap((row) => (row.status === "valid" ? [row.device] : []));

describe("bundled samples (fixtures/samples)", () => {
  it("are all valid, with serial numbers unique across the three files", async () => {
    const names = ["powershell51-utf16le.csv", "powershell7-utf8.csv", "oem-partner.csv"].map((name) => at(`samples/${name}`));
    const { rows, files } = await readAll(names);
    expect(files.map(({ rows: count, encoding, delimiter, error }) => ({ count, encoding, delimiter, error }))).toEqual([
      { count: 8, encoding: "utf-16le", delimiter: ",", error: null },
      { count: 12, encoding: "utf-8", delimiter: ",", error: null },
      { count: 10, encoding: "utf-8", delimiter: ",", error: null },
    ]);
    expect(statuses(rows).every((status) => status === "valid")).toBe(true);
    expect(new Set(devices(rows).map((device) => device.serialNumber)).size).toBe(30);
  });

  it("carry modern-size hashes (3–4 KB decoded), group tags and users where the format has them", async () => {
    const { rows } = await readAll([at("samples/powershell7-utf8.csv")]);
    for (const device of devices(rows)) {
      const bytes = Buffer.from(device.hardwareIdentifier, "base64").length;
      expect(bytes).toBeGreaterThanOrEqual(3000);
      expect(bytes).toBeLessThanOrEqual(4000);
      expect(["Kiosk", "Sales"]).toContain(device.groupTag);
    }
    expect(devices(rows).filter((device) => device.assignedUserPrincipalName).length).toBe(6);
  });
});

describe("one fixture per format", () => {
  it.each([
    ["excel-utf8-bom-quoted.csv", "utf-8-bom", ",", 4],
    ["semicolon-delimited.csv", "utf-8", ";", 3],
    ["tab-delimited.tsv", "utf-8", "\t", 3],
    ["windows-1252-group-tag.csv", "windows-1252", ",", 3],
    ["utf16be.csv", "utf-16be", ",", 3],
    ["unpadded-hash.csv", "utf-8", ",", 3],
    ["base64url-hash.csv", "utf-8", ",", 3],
    ["header-aliases.csv", "utf-8", ",", 3],
    ["header-only.csv", "utf-8", ",", 0],
  ])("%s: %s, %j delimited, %i valid rows", async (name, encoding, delimiter, count) => {
    const { rows, files } = await readAll([at(name)]);
    expect(files[0]).toMatchObject({ rows: count, encoding, delimiter, error: null });
    expect(statuses(rows)).toEqual(Array(count).fill("valid"));
  });

  it("Excel: keeps the comma inside a quoted group tag", async () => {
    const { rows } = await readAll([at("excel-utf8-bom-quoted.csv")]);
    expect(devices(rows).map((device) => device.groupTag)).toEqual(["Sales, EMEA", "Finance", "Finance", "Finance"]);
  });

  it("Windows-1252: decodes accented group tags", async () => {
    const { rows } = await readAll([at("windows-1252-group-tag.csv")]);
    expect(devices(rows).map((device) => device.groupTag)).toEqual(["Zürich-Süd", "Bâtiment Équipe", "Señal"]);
  });

  it("unpadded and base64url hashes come out as standard padded base64 that decodes to the same bytes", async () => {
    for (const name of ["unpadded-hash.csv", "base64url-hash.csv"]) {
      const { rows } = await readAll([at(name)]);
      for (const device of devices(rows)) {
        const hash = device.hardwareIdentifier;
        expect(hash).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
        expect(hash.length % 4).toBe(0);
        expect(Buffer.from(hash, "base64").toString("base64")).toBe(hash);
      }
    }
    const { rows } = await readAll([at("unpadded-hash.csv")]);
    expect(devices(rows).map((device) => device.hardwareIdentifier.match(/=*$/)?.[0])).toEqual(["==", "=", "=="]);
    expect(checkHardwareHash(devices(rows)[0]?.hardwareIdentifier ?? "").ok).toBe(true);
  });

  it("header aliases: trims values and ignores the extra column", async () => {
    const { rows } = await readAll([at("header-aliases.csv")]);
    // make-fixtures.ts writes serials as serialNumber("ALI", 1000 + i * 37), padded with spaces.
    expect(devices(rows).map((device) => [device.serialNumber, device.groupTag])).toEqual([
      [serialNumber("ALI", 1000), "Site-0"],
      [serialNumber("ALI", 1037), "Site-1"],
      [serialNumber("ALI", 1074), "Site-2"],
    ]);
    expect(rows.map((row) => row.location.line)).toEqual([3, 4, 7]);
  });
});

describe("mixed bad rows", () => {
  it("gives each row its status, code, column and line", async () => {
    const { rows, files } = await readAll([at("mixed-bad-rows.csv")]);
    expect(files[0]).toMatchObject({ rows: 14, error: null });
    const summary = rows.map((row) => [row.location.line, row.status, row.status === "valid" ? null : row.code]);
    expect(summary).toEqual([
      [2, "valid", null],
      [3, "invalid", "hash_not_base64"],
      [4, "invalid", "serial_missing"],
      [5, "invalid", "hash_too_short"],
      [6, "invalid", "product_key_format"],
      [7, "invalid", "upn_invalid"],
      [8, "invalid", "group_tag_too_long"],
      [9, "duplicate", "duplicate_serial"],
      [10, "duplicate", "duplicate_hash"],
      [11, "invalid", "too_many_fields"],
      [12, "invalid", "hash_not_base64"],
      [13, "invalid", "serial_not_printable"],
      [14, "valid", null],
      [17, "valid", null],
    ]);
    expect(rows[1]).toMatchObject({ column: "Hardware Hash", message: "Hardware Hash is not valid base64 (character '#' at position 17)" });
    expect(rows[7]).toMatchObject({ firstSeen: { line: 2 } });
    expect(rows[8]).toMatchObject({ firstSeen: { line: 2 } });
  });
});

describe("files that cannot be read at all", () => {
  it.each([
    ["empty.csv", "the file is empty"],
    ["binary-garbage.csv", "the file contains NUL bytes: it is binary, or UTF-16 text without a byte-order mark (save it as UTF-8)"],
    ["missing-column.csv", "missing required column 'Hardware Hash' (found: 'Device Serial Number', 'Windows Product ID', 'Group Tag')"],
    ["no-header.csv", /^no header line: the first line looks like a device row/],
    ["unterminated-quote.csv", "unterminated quote: a quoted value starting after line 4 is never closed"],
  ])("%s: %s", async (name, error) => {
    const { files } = await readAll([at(name)]);
    expect(files[0]?.error).toEqual(typeof error === "string" ? error : expect.stringMatching(error));
  });

  it("still reports the rows before an unterminated quote", async () => {
    const { rows } = await readAll([at("unterminated-quote.csv")]);
    expect(statuses(rows)).toEqual(["valid", "valid", "valid"]);
  });
});
