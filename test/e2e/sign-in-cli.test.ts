/**
 * Sign-in with the built CLI against the emulator (`npm run build` first): the admin's own device-code sign-in, and
 * every refused sign-in told in one line, before anything is journaled (no run in the state directory, no "run the
 * same command again").
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type EmulatorHandle } from "../../src/emulator/index.js";
import { BIN, runCli } from "../support/cli-process.js";
import { devicesNamed, writeCsv, type CsvDevice } from "../support/device-csv.js";

describe("signing in with the CLI", () => {
  let emulator: EmulatorHandle;
  let dir: string;
  let file: string;
  let connection: string[];
  let devices: CsvDevice[];
  beforeAll(async () => {
    expect(existsSync(BIN), "run `npm run build` before the CLI tests").toBe(true);
    emulator = await startEmulator({
      scenario: { clock: { speed: 20 }, throttling: { enabled: false }, processing: { delayMs: 1000, spreadMs: 500 }, auth: { deviceCode: { approveAfterMs: 20_000, intervalSeconds: 1 } } },
    });
    dir = mkdtempSync(path.join(tmpdir(), "autopilot-import-sign-in-"));
    devices = devicesNamed("SIGN-", 3);
    file = writeCsv(dir, "devices.csv", devices);
    connection = ["--graph-url", emulator.graphUrl, "--authority-host", emulator.authorityHost, "--ca-cert", emulator.caCertPath, "--no-sync"];
  });
  afterAll(() => emulator?.close());

  it("imports as the admin with --device-code: the code on stderr, the import once the emulator approves", async () => {
    const stateDir = path.join(dir, "device-code-state");
    const report = path.join(dir, "device-code-report.csv");
    const result = await runCli(["import", file, "--device-code", "--tenant", emulator.tenantId, ...connection, "--state-dir", stateDir, "--report", report, "--log-level", "warn"], { cwd: dir });
    expect(result.stderr).toMatch(/To sign in, use a web browser to open the page https:\/\/127\.0\.0\.1:\d+\/devicelogin and enter the code [A-Z0-9]{9} to authenticate\./);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr.match(/enter the code/g)).toHaveLength(1);
    expect(existsSync(report)).toBe(true);
    expect(emulator.devices().registered.map((device) => device.serialNumber).sort()).toEqual(devices.map((device) => device.serial).sort());
  }, 60_000);

  const refusals: ReadonlyArray<readonly [string, () => { env: Record<string, string>; args: string[] }, RegExp]> = [
    ["a wrong client secret", () => ({ env: { AZURE_CLIENT_SECRET: "not-the-secret" }, args: ["--tenant", emulator.tenantId, "--client-id", emulator.clientId] }), /AADSTS7000215.*the client secret is not valid/],
    ["an unknown tenant", () => ({ env: { AZURE_CLIENT_SECRET: emulator.clientSecret }, args: ["--tenant", "nope.example.com", "--client-id", emulator.clientId] }), /AADSTS90002.*the tenant was not found: check --tenant/],
    ["an unknown client id", () => ({ env: { AZURE_CLIENT_SECRET: emulator.clientSecret }, args: ["--tenant", emulator.tenantId, "--client-id", "00000000-0000-0000-0000-00000000dead"] }), /AADSTS700016.*unknown client id/],
    ["a forgotten secret", () => ({ env: {}, args: ["--tenant", emulator.tenantId, "--client-id", emulator.clientId] }), /no credential is configured: sign in as yourself with --device-code/],
    ["an unreadable certificate", () => ({ env: {}, args: ["--tenant", emulator.tenantId, "--client-id", emulator.clientId, "--certificate", path.join(dir, "missing.pem")] }), /ENOENT.*the certificate cannot be used: --certificate must name a readable PEM file/],
  ];

  it.each(refusals)("tells %s in one line, exit 3, with nothing journaled", async (_name, setup, reason) => {
    const { env, args } = setup();
    const stateDir = path.join(dir, `refused-${Math.random().toString(36).slice(2)}`);
    const result = await runCli(["import", file, ...args, ...connection, "--state-dir", stateDir, "--report", path.join(stateDir, "r.csv")], { cwd: dir, env });
    expect(result.code, result.stderr).toBe(3);
    const lines = result.stderr.trim().split("\n");
    expect(lines, result.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(reason);
    expect(result.stderr).not.toMatch(/run the same command again|journal/);
    expect(existsSync(stateDir) ? readdirSync(path.join(stateDir, "runs")) : []).toEqual([]);
  }, 30_000);

  it("signs in before `run` locks the inbox and before `cleanup` locks the state directory", async () => {
    const inbox = path.join(dir, "inbox-root");
    mkdirSync(path.join(inbox, "inbox"), { recursive: true });
    writeCsv(path.join(inbox, "inbox"), "a.csv", devicesNamed("INBOX-", 2));
    const env = { AZURE_TENANT_ID: emulator.tenantId, AZURE_CLIENT_ID: emulator.clientId, AZURE_CLIENT_SECRET: "not-the-secret" };
    const job = await runCli(["run", "--inbox", inbox, "--settle", "0s", ...connection.filter((arg) => arg !== "--no-sync")], { cwd: dir, env });
    expect(job.code, job.stderr).toBe(3);
    expect(job.stderr).toMatch(/AADSTS7000215.*the client secret is not valid/);
    expect(readdirSync(inbox).sort()).toEqual(["inbox"]);
    const stateDir = path.join(dir, "cleanup-state");
    const cleanup = await runCli(["cleanup", "--state-dir", stateDir, ...connection.filter((arg) => arg !== "--no-sync")], { cwd: dir, env });
    expect(cleanup.code, cleanup.stderr).toBe(3);
    expect(cleanup.stderr.trim().split("\n")).toHaveLength(1);
    expect(existsSync(stateDir)).toBe(false);
  }, 60_000);

  it("says which flags and variables to set when no credential is configured", async () => {
    const stateDir = path.join(dir, "no-credential-state");
    const result = await runCli(["import", file, ...connection, "--state-dir", stateDir], { cwd: dir, env: { HOME: dir, IDENTITY_ENDPOINT: "", AZURE_POD_IDENTITY_AUTHORITY_HOST: "" } });
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toMatch(/no credential is configured: sign in as yourself with --device-code/);
    expect(result.stderr).toMatch(/AZURE_CLIENT_SECRET/);
    expect(existsSync(path.join(stateDir, "runs")) ? readdirSync(path.join(stateDir, "runs")) : []).toEqual([]);
  }, 60_000);

  it("names the application permission and how to grant it when Graph answers 403 to an app", async () => {
    const forbidden = await startEmulator({ scenario: { throttling: { enabled: false }, auth: { grants: { applicationPermission: false } } } });
    try {
      const pem = path.join(dir, "forbidden-ca.pem");
      writeFileSync(pem, forbidden.caCertificate);
      const result = await runCli(
        ["import", file, "--graph-url", forbidden.graphUrl, "--authority-host", forbidden.authorityHost, "--ca-cert", pem, "--state-dir", path.join(dir, "forbidden-state"), "--report", path.join(dir, "forbidden.csv")],
        { cwd: dir, env: { AZURE_TENANT_ID: forbidden.tenantId, AZURE_CLIENT_ID: forbidden.clientId, AZURE_CLIENT_SECRET: forbidden.clientSecret } },
      );
      expect(result.code, result.stderr).toBe(3);
      expect(result.stderr).toMatch(/status 403/);
      expect(result.stderr).toMatch(/application permission DeviceManagementServiceConfig\.ReadWrite\.All with admin consent/);
      expect(result.stderr).not.toContain(forbidden.clientSecret);
    } finally {
      await forbidden.close();
    }
  }, 60_000);
});
