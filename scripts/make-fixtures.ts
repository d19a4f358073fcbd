/**
 * Writes the small fixture files under fixtures/ (deterministic: run again to regenerate identical bytes):
 *   npm run fixtures:make
 * fixtures/samples/ ships in the npm package: realistic files whose rows are all valid and unique.
 * The other files cover one format or failure each; test/csv/fixtures.test.ts asserts what each must give.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { randomHardwareHash, randomProductKey, randomUserPrincipalName, serialNumber } from "../test/support/fixtures/device-values.js";
import { LAYOUT_HEADERS } from "../test/support/fixtures/generate.js";
import { createRandom, type Random } from "../test/support/fixtures/random.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures");
const CRLF = "\r\n";

function write(name: string, bytes: Buffer | string): void {
  const path = join(root, name);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes);
  process.stdout.write(`${path}\n`);
}

const utf8 = (text: string): Buffer => Buffer.from(text, "utf8");
const utf8Bom = (text: string): Buffer => Buffer.from(`\uFEFF${text}`, "utf8");
const utf16le = (text: string): Buffer => Buffer.from(`\uFEFF${text}`, "utf16le");
const utf16be = (text: string): Buffer => Buffer.from(`\uFEFF${text}`, "utf16le").swap16();
/** Characters used here are all in Latin-1, where Windows-1252 and Latin-1 agree. */
const windows1252 = (text: string): Buffer => Buffer.from(text, "latin1");

const lines = (rows: readonly (readonly string[])[], delimiter = ",", end = CRLF): string =>
  rows.map((row) => row.join(delimiter) + end).join("");

function devices(random: Random, prefix: string, count: number, make: (serial: string, hash: string, i: number) => string[]) {
  return Array.from({ length: count }, (_, i) => make(serialNumber(prefix, 1000 + i * 37), randomHardwareHash(random), i));
}

// --- samples: all valid, unique serials across the three files --------------------------------------------------

{
  // Get-WindowsAutopilotInfo on Windows PowerShell 5.1: three columns, quotes stripped, UTF-16LE with BOM, CRLF.
  const random = createRandom(51);
  const rows = devices(random, "PF3", 8, (serial, hash) => [serial, "", hash]);
  write("samples/powershell51-utf16le.csv", utf16le(lines([LAYOUT_HEADERS.powershell, ...rows])));
}
{
  // Get-WindowsAutopilotInfo -GroupTag -AssignedUser on PowerShell 7: five columns, UTF-8 without BOM.
  const random = createRandom(7);
  const rows = devices(random, "5CG", 12, (serial, hash, i) => [serial, "", hash, i % 3 === 0 ? "Kiosk" : "Sales", i % 2 === 0 ? randomUserPrincipalName(random) : ""]);
  write("samples/powershell7-utf8.csv", utf8(lines([LAYOUT_HEADERS.admin, ...rows])));
}
{
  // Partner/OEM format: manufacturer and model columns instead of group tag and user.
  const random = createRandom(4);
  const models = [["Contoso Devices", "Surface Laptop 5"], ["Fabrikam", "ProBook 450 G9"]];
  const rows = devices(random, "CND", 10, (serial, hash, i) => [serial, i < 2 ? randomProductKey(random) : "", hash, ...(models[i % 2] as string[])]);
  write("samples/oem-partner.csv", utf8(lines([LAYOUT_HEADERS.oem, ...rows])));
}

// --- one file per format --------------------------------------------------------------------------------------

{
  // Excel "CSV UTF-8": BOM, every value quoted, a comma inside a quoted group tag.
  const random = createRandom(101);
  const quote = (row: readonly string[]) => row.map((v) => `"${v}"`);
  const rows = devices(random, "EXL", 4, (serial, hash, i) => [serial, "", hash, i === 0 ? "Sales, EMEA" : "Finance", i === 1 ? "anna.berg@contoso.com" : ""]);
  write("excel-utf8-bom-quoted.csv", utf8Bom(lines([LAYOUT_HEADERS.admin, ...rows].map(quote))));
}
{
  // Excel in a locale whose list separator is ';'.
  const random = createRandom(102);
  const rows = devices(random, "SEM", 3, (serial, hash) => [serial, "", hash, "Lab 3", "ben.costa@contoso.com"]);
  write("semicolon-delimited.csv", utf8(lines([LAYOUT_HEADERS.admin, ...rows], ";")));
}
{
  const random = createRandom(103);
  const rows = devices(random, "TAB", 3, (serial, hash) => [serial, "", hash, "Kiosk", ""]);
  write("tab-delimited.tsv", utf8(lines([LAYOUT_HEADERS.admin, ...rows], "\t")));
}
{
  // Saved as "ANSI" by Notepad or Excel on a Western European Windows: accents are single bytes.
  const random = createRandom(104);
  const tags = ["Zürich-Süd", "Bâtiment Équipe", "Señal"];
  const rows = devices(random, "ANS", 3, (serial, hash, i) => [serial, "", hash, tags[i] as string, ""]);
  write("windows-1252-group-tag.csv", windows1252(lines([LAYOUT_HEADERS.admin, ...rows])));
}
{
  const random = createRandom(105);
  const rows = devices(random, "UBE", 3, (serial, hash) => [serial, "", hash]);
  write("utf16be.csv", utf16be(lines([LAYOUT_HEADERS.powershell, ...rows])));
}
{
  // Devices emit unpadded base64: hashes of 3000+1 and 3000+2 bytes need '=' padding, stripped here.
  const random = createRandom(106);
  const rows = [3001, 3002, 3004].map((size, i) => [serialNumber("PAD", i), "", randomHardwareHash(random, { min: size, max: size }).replace(/=+$/, "")]);
  write("unpadded-hash.csv", utf8(lines([LAYOUT_HEADERS.powershell, ...rows])));
}
{
  const random = createRandom(107);
  const rows = devices(random, "URL", 3, (serial, hash) => [serial, "", hash.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")]);
  write("base64url-hash.csv", utf8(lines([LAYOUT_HEADERS.powershell, ...rows])));
}
{
  // Header names as people type them: any case, spaces, aliases, an extra column; LF, blank lines, padding.
  const random = createRandom(108);
  const header = [" serialnumber ", "HARDWAREHASH", " Product Key", "OrderID", "AssignedUser", "Device model"];
  const rows = devices(random, "ALI", 3, (serial, hash, i) => [`  ${serial} `, hash, "", ` Site-${i} `, "", "Surface Pro 9"]);
  write("header-aliases.csv", utf8(`\n${header.join(",")}\n${lines(rows.slice(0, 2), ",", "\n")}\n   \n${lines(rows.slice(2), ",", "\n")}`));
}
{
  const random = createRandom(109);
  const rows = devices(random, "HDR", 2, (serial, hash) => [serial, "", hash]);
  write("header-only.csv", utf8(lines([LAYOUT_HEADERS.powershell])));
  write("no-header.csv", utf8(lines(rows)));
}

// --- bad rows: every row-level problem once, with the line each must be reported on -------------------------------

{
  const random = createRandom(110);
  const hash = () => randomHardwareHash(random);
  const first = hash();
  const badChar = hash();
  const rows: string[][] = [
    [serialNumber("BAD", 1), "", first, "Sales", "anna.berg@contoso.com"], // 2 valid
    [serialNumber("BAD", 2), "", `${badChar.slice(0, 16)}#${badChar.slice(17)}`, "", ""], // 3 hash_not_base64, position 17
    ["", "", hash(), "Sales", ""], // 4 serial_missing
    [serialNumber("BAD", 4), "", "T0FmAwEAHAAAAAoA", "", ""], // 5 hash_too_short
    [serialNumber("BAD", 5), "12345-ABCDE", hash(), "", ""], // 6 product_key_format
    [serialNumber("BAD", 6), "", hash(), "", "john.doe@"], // 7 upn_invalid
    [serialNumber("BAD", 7), "", hash(), "G".repeat(129), ""], // 8 group_tag_too_long
    [serialNumber("BAD", 1), "", hash(), "", ""], // 9 duplicate_serial of line 2
    [serialNumber("BAD", 9), "", first, "", ""], // 10 duplicate_hash of line 2
    [serialNumber("BAD", 10), "", hash(), "Sales", "EMEA", ""], // 11 too_many_fields (unquoted comma)
    [serialNumber("BAD", 11), "", `${hash().replace(/=+$/, "").slice(0, 4001)}`, "", ""], // 12 hash_not_base64 (impossible length)
    ["SN\u2013123", "", hash(), "", ""], // 13 serial_not_printable (an en dash pasted from Word)
    [serialNumber("BAD", 13), "", hash(), "Kiosk", ""], // 14 valid
  ];
  const tail: string[][] = [[serialNumber("BAD", 14), "", hash(), "", ""]]; // 17 valid, after a blank and an empty line
  write("mixed-bad-rows.csv", utf8(`${lines([LAYOUT_HEADERS.admin, ...rows])}\r\n,,,,\r\n${lines(tail)}`));
}

// --- files that cannot be read at all ---------------------------------------------------------------------------

{
  const random = createRandom(111);
  const rows = devices(random, "MIS", 2, (serial, _hash, i) => [serial, "", i === 0 ? "Sales" : ""]);
  write("missing-column.csv", utf8(lines([["Device Serial Number", "Windows Product ID", "Group Tag"], ...rows])));
  write("empty.csv", Buffer.alloc(0));
}
{
  // An Excel workbook renamed to .csv: a zip archive.
  const random = createRandom(112);
  const bytes = Buffer.alloc(2048);
  random.fill(bytes);
  Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00]).copy(bytes);
  write("binary-garbage.csv", bytes);
}
{
  const random = createRandom(113);
  const rows = devices(random, "UNT", 3, (serial, hash) => [serial, "", hash, "Sales", ""]);
  const broken = [serialNumber("UNT", 9), "", randomHardwareHash(random), '"Sales', ""];
  write("unterminated-quote.csv", utf8(lines([LAYOUT_HEADERS.admin, ...rows, broken, ...rows.slice(0, 1)])));
}
