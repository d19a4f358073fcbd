/**
 * The report as an admin opens it in Excel, and --group-tag / --assigned-user for a whole file: the built CLI (`npm run
 * build` first) against the emulator, the report read back as Excel reads it (BOM, CRLF, the separator), and what
 * reached Graph read from the emulator's store.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type EmulatorHandle } from "../../src/emulator/index.js";
import { BIN, runCli } from "../support/cli-process.js";
import { bySerial, makeHash, readCsvReport } from "../support/device-csv.js";

/** A file as Excel saves it in a semicolon locale (German, French): `;`-separated, CRLF, UTF-8 with BOM. */
function writeSemicolonCsv(file: string, rows: ReadonlyArray<readonly [serial: string, hash: string, groupTag: string, user: string]>): string {
  const lines = ["Device Serial Number;Windows Product ID;Hardware Hash;Group Tag;Assigned User", ...rows.map(([s, h, g, u]) => `${s};;${h};${g};${u}`)];
  writeFileSync(file, `\uFEFF${lines.join("\r\n")}\r\n`);
  return file;
}

describe("reports that open in Excel, and a group tag / assigned user for a whole file", () => {
  let emulator: EmulatorHandle;
  let dir: string;
  let env: Record<string, string>;
  let connection: string[];
  beforeAll(async () => {
    expect(existsSync(BIN), "run `npm run build` before the CLI tests").toBe(true);
    emulator = await startEmulator({ scenario: { clock: { speed: 20 }, processing: { delayMs: 2000, spreadMs: 1000 } } });
    dir = mkdtempSync(path.join(tmpdir(), "autopilot-import-excel-"));
    env = { AZURE_TENANT_ID: emulator.tenantId, AZURE_CLIENT_ID: emulator.clientId, AZURE_CLIENT_SECRET: emulator.clientSecret, NODE_EXTRA_CA_CERTS: emulator.caCertPath };
    // The sync is left out: its 10-minute rule would hold the second import, and it is not what is tested here.
    connection = ["--graph-url", emulator.graphUrl, "--authority-host", emulator.authorityHost, "--no-sync", "--log-level", "warn"];
  });
  afterAll(() => emulator?.close());

  const registered = (serial: string) => emulator.devices().registered.find((d) => d.serialNumber === serial);

  it("writes the report in the input's separator, UTF-8 with BOM and CRLF: accented names survive, every row has a message, every rejected row a code", async () => {
    const shared = makeHash();
    const file = writeSemicolonCsv(path.join(dir, "équipe.csv"), [
      ["XL-1", makeHash(), "Équipe-Zoë", "zoe.muller@contoso.com"],
      ["XL-2", shared, "=HYPERLINK(\"http://x\")", ""],
      ["XL-3", shared, "", ""],
      ["XL-4", "not base64 at all!", "", ""],
      ["XL-1", makeHash(), "", ""],
    ]);
    const report = path.join(dir, "équipe-report.csv");
    const result = await runCli(["import", path.basename(file), "--report", report, ...connection], { env, cwd: dir });
    expect(result.code, result.stderr).toBe(1);

    const bytes = readFileSync(report);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.toString("latin1").match(/(?<!\r)\n/g)).toBeNull();
    expect(bytes.subarray(3).toString("utf8").split("\r\n")[0]).toBe(
      "file;line;serialNumber;status;errorCode;errorName;message;groupTag;assignedUser;uploadId;importedDeviceId;deviceRegistrationId;registered;groups;profileStatus;profileName",
    );
    const rows = readCsvReport(report, ";");
    expect(rows).toHaveLength(5);
    const byLine = Object.fromEntries(rows.map((row) => [row.line, row]));
    expect(byLine["2"]).toMatchObject({ file: "équipe.csv", serialNumber: "XL-1", status: "imported", message: "imported", groupTag: "Équipe-Zoë", assignedUser: "zoe.muller@contoso.com" });
    // A formula from the file is shown as text, never evaluated.
    expect(byLine["3"]).toMatchObject({ status: "imported", groupTag: `'=HYPERLINK("http://x")` });
    expect(byLine["4"]).toMatchObject({ status: "duplicate", errorCode: "duplicate_hash", groupTag: "" });
    expect(byLine["5"]).toMatchObject({ status: "invalid", errorCode: "hash_not_base64", message: expect.stringMatching(/not valid base64.*; not submitted$/) });
    expect(byLine["6"]).toMatchObject({ status: "duplicate", errorCode: "duplicate_serial", message: "Device Serial Number 'XL-1' already appears on line 2; only the first is used" });
    for (const row of rows) expect(row.message, row.line).not.toBe("");
    // What the report says was applied is what Graph got.
    expect(registered("XL-1")).toMatchObject({ groupTag: "Équipe-Zoë", userPrincipalName: "zoe.muller@contoso.com" });
  });

  it("--group-tag and --assigned-user win over the file's columns for every row, the 806 update included; --report-delimiter picks the separator", async () => {
    emulator.registerDevices([{ serialNumber: "OVR-KNOWN", groupTag: "Old" }]);
    const file = writeSemicolonCsv(path.join(dir, "oem.csv"), [
      ["OVR-1", makeHash(), "Sales", "old.owner@contoso.com"],
      ["OVR-2", makeHash(), "", ""],
      ["OVR-KNOWN", makeHash(), "Sales", ""],
    ]);
    const report = path.join(dir, "oem-report.csv");
    const result = await runCli(
      ["import", file, "--report", report, "--group-tag", "Kiosk-Süd", "--assigned-user", "kiosk@contoso.com", "--update-existing", "--report-delimiter", "tab", ...connection],
      { env, cwd: dir },
    );
    expect(result.code, result.stderr).toBe(0);

    for (const serial of ["OVR-1", "OVR-2"]) expect(registered(serial), serial).toMatchObject({ groupTag: "Kiosk-Süd", userPrincipalName: "kiosk@contoso.com" });
    // Staged records (those the cleanup has not deleted yet) carry the flag's values too, never the column's.
    for (const staged of emulator.devices().staged.filter((d) => d.serialNumber.startsWith("OVR-"))) {
      expect(staged, staged.serialNumber).toMatchObject({ groupTag: "Kiosk-Süd", assignedUserPrincipalName: "kiosk@contoso.com" });
    }
    expect(registered("OVR-KNOWN")).toMatchObject({ groupTag: "Kiosk-Süd", userPrincipalName: "kiosk@contoso.com" });

    expect(readFileSync(report).subarray(3).toString("utf8").startsWith("file\tline\tserialNumber\t")).toBe(true);
    const rows = bySerial(readCsvReport(report, "\t"));
    expect(rows["OVR-1"]).toMatchObject({ status: "imported", groupTag: "Kiosk-Süd", assignedUser: "kiosk@contoso.com" });
    expect(rows["OVR-2"]).toMatchObject({ status: "imported", groupTag: "Kiosk-Süd", assignedUser: "kiosk@contoso.com" });
    expect(rows["OVR-KNOWN"]).toMatchObject({ status: "updated", groupTag: "Kiosk-Süd", assignedUser: "kiosk@contoso.com" });
  });

  it.each([
    [["--group-tag", "x".repeat(129)], /^autopilot-import: --group-tag: the value is 129 characters long; the maximum is 128/m],
    [["--assigned-user", "kiosk"], /^autopilot-import: --assigned-user: the value 'kiosk' is not a valid user principal name: it has no '@'/m],
    [["--report-delimiter", "pipe"], /^autopilot-import: --report-delimiter: expected one of comma, semicolon, tab/m],
  ])("refuses %j as a usage error (exit 2), before any request", async (flags, message) => {
    const file = writeSemicolonCsv(path.join(dir, "bad-flag.csv"), [["BAD-FLAG-1", makeHash(), "", ""]]);
    const result = await runCli(["import", file, ...flags, ...connection], { env, cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(registered("BAD-FLAG-1")).toBeUndefined();
  });
});
