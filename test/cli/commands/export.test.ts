/** The export command's configuration, and its refusals in process against the emulator: nothing written on failure. */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { defaultExportName, EXPORT_ENV_FOR_FLAG, loadExportConfig } from "../../../src/cli/config/export.js";
import { UsageError } from "../../../src/errors.js";
import { startEmulator, type EmulatorHandle, type ScenarioInput } from "../../../src/emulator/index.js";
import { runInProcess, type InProcessRun } from "../../support/cli-in-process.js";

const CWD = "/work/somewhere";
const NOW = new Date("2026-03-04T05:06:07.890Z");

describe("export configuration (loadExportConfig)", () => {
  it("defaults to ./autopilot-devices-<time>.csv; takes the format from --out's extension unless --format says otherwise", () => {
    expect(defaultExportName(NOW, "jsonl")).toBe("autopilot-devices-20260304T050607Z.jsonl");
    expect(loadExportConfig([], {}, CWD, NOW)).toMatchObject({ out: path.join(CWD, "autopilot-devices-20260304T050607Z.csv"), format: "csv", selector: undefined, force: false, json: false });
    expect(loadExportConfig(["--format", "jsonl"], {}, CWD, NOW).out).toBe(path.join(CWD, "autopilot-devices-20260304T050607Z.jsonl"));
    expect(loadExportConfig(["--out", "a.JSONL"], {}, CWD, NOW)).toMatchObject({ out: path.join(CWD, "a.JSONL"), format: "jsonl" });
    expect(loadExportConfig(["--out", "a.jsonl", "--format", "csv"], {}, CWD, NOW).format).toBe("csv");
    expect(loadExportConfig(["--out", "-"], {}, CWD, NOW)).toMatchObject({ out: "-", format: "csv" });
    expect(loadExportConfig(["--where", "  "], {}, CWD, NOW).selector).toBeUndefined();
  });

  it("reads every option from its environment variable; the flag wins", () => {
    expect(EXPORT_ENV_FOR_FLAG).toMatchObject({
      out: ["AUTOPILOT_IMPORT_EXPORT_OUT"],
      format: ["AUTOPILOT_IMPORT_EXPORT_FORMAT"],
      where: ["AUTOPILOT_IMPORT_EXPORT_WHERE"],
      force: ["AUTOPILOT_IMPORT_EXPORT_FORCE"],
      json: ["AUTOPILOT_IMPORT_EXPORT_JSON"],
    });
    const env = { AUTOPILOT_IMPORT_EXPORT_OUT: "e.csv", AUTOPILOT_IMPORT_EXPORT_WHERE: "model=X", AUTOPILOT_IMPORT_EXPORT_FORCE: "yes", AUTOPILOT_IMPORT_EXPORT_JSON: "1" };
    const config = loadExportConfig([], env, CWD, NOW);
    expect(config).toMatchObject({ out: path.join(CWD, "e.csv"), force: true, json: true });
    expect(config.selector?.clauses).toEqual([{ field: "model", value: "X" }]);
    expect(loadExportConfig(["--out", "flag.csv"], env, CWD, NOW).out).toBe(path.join(CWD, "flag.csv"));
  });

  it("refuses --json with --out - and an unknown format, one line each", () => {
    expect(() => loadExportConfig(["--out", "-", "--json"], {}, CWD, NOW)).toThrow(/--json prints its summary on stdout, where --out - writes the devices/);
    expect(() => loadExportConfig(["--format", "xlsx"], {}, CWD, NOW)).toThrow(UsageError);
    expect(() => loadExportConfig(["--format", "xlsx"], {}, CWD, NOW)).toThrow(/--format: must be csv or jsonl/);
  });
});

let emulator: EmulatorHandle | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

async function cli(scenario: ScenarioInput, args: string[], env: Record<string, string> = {}): Promise<InProcessRun> {
  emulator = await startEmulator({ scenario: { throttling: { enabled: false }, tenant: { registeredSeed: { count: 50 } }, ...scenario } });
  const e = emulator;
  return runInProcess(["export", ...args, "--graph-url", e.graphUrl, "--authority-host", e.authorityHost, "--ca-cert", e.caCertPath, "--log-level", "silent"], {
    AZURE_TENANT_ID: e.tenantId,
    AZURE_CLIENT_ID: e.clientId,
    AZURE_CLIENT_SECRET: e.clientSecret,
    ...env,
  });
}

describe("export refusals (in process, against the emulator)", () => {
  it("a refused sign-in is exit 3 and creates no file", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "export-cli-"));
    const run = await cli({}, ["--out", path.join(dir, "x.csv")], { AZURE_CLIENT_SECRET: "wrong-secret-value" });
    expect(run.code).toBe(3);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).not.toContain("wrong-secret-value");
    expect(readdirSync(dir)).toEqual([]);
  });

  it("a tenant without the permission is exit 3 naming it, and the partial file is removed", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "export-cli-"));
    const run = await cli({ auth: { grants: { applicationPermission: false } } }, ["--out", path.join(dir, "x.csv")]);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/DeviceManagementServiceConfig/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("an --out in a missing folder, or naming a folder, is exit 2 with one line", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "export-cli-"));
    const missing = await cli({}, ["--out", path.join(dir, "no", "x.csv")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(`autopilot-import: cannot write --out ${path.join(dir, "no", "x.csv")}: its folder does not exist\n`);
    await emulator?.close();
    const folder = await cli({}, ["--out", dir]);
    expect(folder.code).toBe(2);
    expect(folder.stderr).toBe(`autopilot-import: --out ${dir} is a directory: name a file\n`);
    expect(existsSync(path.join(dir, "no"))).toBe(false);
  });

  it("a full disk mid-export is exit 2 naming --out, and leaves no partial file (tmpfs of 64 KiB)", async (context) => {
    const dir = mkdtempSync(path.join(tmpdir(), "export-full-"));
    try {
      execFileSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", dir], { stdio: "ignore" });
    } catch {
      context.skip("mounting a tmpfs is not allowed here (needs root)");
      return;
    }
    try {
      const out = path.join(dir, "all.csv");
      const run = await cli({ tenant: { registeredSeed: { count: 2000 } } }, ["--out", out]);
      expect(run.code).toBe(2);
      expect(run.stderr).toBe(`autopilot-import: cannot write --out ${out}: ENOSPC\n`);
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      execFileSync("umount", [dir]);
    }
  });
});
