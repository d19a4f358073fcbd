/** The update command's configuration, and its refusals in process against the emulator: nothing journaled or written on failure. */
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadUpdateConfig, UPDATE_ENV_FOR_FLAG } from "../../../src/cli/config/update.js";
import { startEmulator, type EmulatorHandle, type ScenarioInput } from "../../../src/emulator/index.js";
import { runInProcess, type InProcessRun } from "../../support/cli-in-process.js";

const CWD = "/work/somewhere";

describe("update configuration (loadUpdateConfig)", () => {
  it("turns --set-* and --clear-* into wanted values: '' clears, an option not given leaves the field alone", () => {
    expect(loadUpdateConfig(["a.csv"], {}, CWD)).toMatchObject({ files: ["a.csv"], selector: undefined, overrides: {}, dryRun: false });
    expect(loadUpdateConfig(["a.csv", "--clear-group-tag", "--set-user", "a@contoso.com"], {}, CWD).overrides).toEqual({ groupTag: "", userPrincipalName: "a@contoso.com" });
    expect(loadUpdateConfig(["--where", "group-tag=", "--set-display-name", "KIOSK-1"], {}, CWD)).toMatchObject({ files: [], overrides: { displayName: "KIOSK-1" } });
    expect(loadUpdateConfig(["--where", "group-tag=", "--clear-user"], {}, CWD).selector?.clauses).toEqual([{ field: "group-tag", value: "" }]);
  });

  it("reads its options from AUTOPILOT_IMPORT_UPDATE_* variables; the flag wins", () => {
    expect(UPDATE_ENV_FOR_FLAG).toMatchObject({
      where: ["AUTOPILOT_IMPORT_UPDATE_WHERE"],
      "set-group-tag": ["AUTOPILOT_IMPORT_UPDATE_SET_GROUP_TAG"],
      "clear-group-tag": ["AUTOPILOT_IMPORT_UPDATE_CLEAR_GROUP_TAG"],
      "set-user": ["AUTOPILOT_IMPORT_UPDATE_SET_USER"],
      "clear-user": ["AUTOPILOT_IMPORT_UPDATE_CLEAR_USER"],
      "set-display-name": ["AUTOPILOT_IMPORT_UPDATE_SET_DISPLAY_NAME"],
      report: ["AUTOPILOT_IMPORT_UPDATE_REPORT"],
    });
    const env = { AUTOPILOT_IMPORT_UPDATE_WHERE: "model=X", AUTOPILOT_IMPORT_UPDATE_SET_GROUP_TAG: "Env", AUTOPILOT_IMPORT_UPDATE_REPORT: "r.jsonl" };
    expect(loadUpdateConfig([], env, CWD)).toMatchObject({ overrides: { groupTag: "Env" }, reportPath: path.join(CWD, "r.jsonl"), reportFormat: "jsonl" });
    expect(loadUpdateConfig(["--set-group-tag", "Flag"], env, CWD).overrides).toEqual({ groupTag: "Flag" });
  });

  it("refuses an empty or invalid display name, one line each", () => {
    expect(() => loadUpdateConfig(["a.csv", "--set-display-name", ""], {}, CWD)).toThrow(/--set-display-name: expected a value, got an empty one/);
    expect(() => loadUpdateConfig(["a.csv", "--set-display-name", "1234"], {}, CWD)).toThrow(/--set-display-name: the value .*digits only/);
    expect(() => loadUpdateConfig(["a.csv", "--set-display-name", "A-NAME-TOO-LONG-1"], {}, CWD)).toThrow(/at most 15/);
  });
});

let emulator: EmulatorHandle | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

async function cli(scenario: ScenarioInput, dir: string, args: string[], env: Record<string, string> = {}): Promise<InProcessRun> {
  emulator = await startEmulator({ scenario: { throttling: { enabled: false }, tenant: { registeredSeed: { count: 20 } }, ...scenario } });
  const e = emulator;
  const flags = ["--graph-url", e.graphUrl, "--authority-host", e.authorityHost, "--ca-cert", e.caCertPath, "--log-level", "silent", "--state-dir", path.join(dir, "state"), "--report", path.join(dir, "report.csv")];
  return runInProcess(["update", ...args, ...flags], { AZURE_TENANT_ID: e.tenantId, AZURE_CLIENT_ID: e.clientId, AZURE_CLIENT_SECRET: e.clientSecret, ...env });
}

describe("update refusals", () => {
  it("a refused sign-in is exit 3, one line without the secret, and leaves no state or report", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "update-cli-"));
    writeFileSync(path.join(dir, "a.csv"), "Device Serial Number,Group Tag\r\nSEED-000001,X\r\n");
    const run = await cli({}, dir, [path.join(dir, "a.csv")], { AZURE_CLIENT_SECRET: "wrong-secret-value" });
    expect(run.code).toBe(3);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).not.toContain("wrong-secret-value");
    expect(readdirSync(dir)).toEqual(["a.csv"]);
  });

  it("a tenant without the permission is exit 3 naming it, and nothing is written", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "update-cli-"));
    const run = await cli({ auth: { grants: { applicationPermission: false } } }, dir, ["--where", "group-tag=", "--set-group-tag", "X"]);
    expect(run.code).toBe(3);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).toMatch(/DeviceManagementServiceConfig/);
    expect(emulator?.stats().devices.updatesAccepted).toBe(0);
    // The state was opened (and its lock released); the report, still empty, is not left behind.
    expect(existsSync(path.join(dir, "state"))).toBe(true);
    expect(existsSync(path.join(dir, "state", "lock"))).toBe(false);
    expect(existsSync(path.join(dir, "report.csv"))).toBe(false);
  });
});
