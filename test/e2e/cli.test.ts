/** The built CLI (`npm run build` first) run as a user would, against the emulator. */
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type EmulatorHandle } from "../../src/emulator/index.js";
import { BIN, runCli, startCli } from "../support/cli-process.js";
import { bySerial, devicesNamed, makeHash, readCsvReport, writeCsv } from "../support/device-csv.js";

describe("the autopilot-import CLI against the emulator", () => {
  let emulator: EmulatorHandle;
  let dir: string;
  let auth: Record<string, string>;
  beforeAll(async () => {
    expect(existsSync(BIN), "run `npm run build` before the CLI tests").toBe(true);
    emulator = await startEmulator({
      scenario: { clock: { speed: 20 }, processing: { delayMs: 2000, spreadMs: 1000 }, outcomes: { otherTenantSerials: ["CLI-808"], stuckSerials: ["CLI-STUCK"] } },
    });
    dir = mkdtempSync(path.join(tmpdir(), "autopilot-import-cli-"));
    auth = { AZURE_TENANT_ID: emulator.tenantId, AZURE_CLIENT_ID: emulator.clientId, AZURE_CLIENT_SECRET: emulator.clientSecret };
  });
  afterAll(() => emulator?.close());

  it("imports a file with flags, trusting the emulator's CA through --ca-cert, and exits 1 when a row failed", async () => {
    const devices = [...devicesNamed("CLI-", 6), { serial: "CLI-808", hash: makeHash() }];
    const file = writeCsv(dir, "cli.csv", devices);
    const report = path.join(dir, "cli-report.csv");
    const result = await runCli(
      [
        "import",
        file,
        "--graph-url",
        emulator.graphUrl,
        "--authority-host",
        emulator.authorityHost,
        "--ca-cert",
        emulator.caCertPath,
        "--report",
        report,
        "--json",
        "--batch-size",
        "3",
        "--log-level",
        "warn",
      ],
      { env: auth, cwd: dir },
    );
    expect(result.stderr).toContain(`report: ${report}`);
    expect(result.code).toBe(1);
    const summary = JSON.parse(result.stdout) as Record<string, number>;
    expect(Object.keys(summary)).toEqual([
      "rows",
      "valid",
      "invalid",
      "duplicates",
      "submitted",
      "imported",
      "alreadyRegistered",
      "updated",
      "failed",
      "timedOut",
      "registered",
      "uploads",
      "requests",
      "durationMs",
      "sync",
      "cleanup",
      "profiles",
    ]);
    expect(summary).toMatchObject({ rows: 7, imported: 6, failed: 1, uploads: 3, registered: 6, sync: { status: "triggered" } });
    const rows = bySerial(readCsvReport(report));
    expect(rows["CLI-808"]).toMatchObject({ status: "failed", errorCode: "808", line: "8" });
    expect(rows["CLI-00000"]).toMatchObject({ status: "imported", line: "2" });
    expect(emulator.stats().submissions.serialsSubmittedMoreThanOnce).toEqual([]);
  });

  it("takes its settings from the environment and trusts NODE_EXTRA_CA_CERTS; exit 0 when all imported", async () => {
    const file = writeCsv(dir, "env.csv", devicesNamed("ENV-", 4));
    const result = await runCli(
      ["import", file, "--json"],
      {
        env: {
          ...auth,
          AUTOPILOT_IMPORT_GRAPH_URL: emulator.graphUrl,
          AZURE_AUTHORITY_HOST: emulator.authorityHost,
          NODE_EXTRA_CA_CERTS: emulator.caCertPath,
          AUTOPILOT_IMPORT_REPORT: "env-report.jsonl",
          AUTOPILOT_IMPORT_LOG_LEVEL: "silent",
          // The previous test's sync is still running or within the 10-minute rule: none this time.
          AUTOPILOT_IMPORT_SYNC: "false",
        },
        cwd: dir,
      },
    );
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ rows: 4, imported: 4, registered: 4, sync: { status: "skipped" } });
    const lines = readFileSync(path.join(dir, "env-report.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.status)).toEqual(["imported", "imported", "imported", "imported"]);
  });

  it("shows the uploads of a dry run without signing in", async () => {
    const file = writeCsv(dir, "dry.csv", devicesNamed("DRY-", 5));
    const before = emulator.stats().requests.total;
    const result = await runCli(["import", file, "--dry-run", "--batch-size", "2"], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("would submit 5 devices in 3 uploads of up to 2; nothing was sent");
    expect(result.stderr).toMatch(/upload 1: 2 devices, .*dry\.csv:2 \(DRY-00000\) … .*dry\.csv:3 \(DRY-00001\)/);
    expect(emulator.stats().requests.total).toBe(before);
  });

  it("exits 2 with a readable message for a bad value, and 3 when the secret is wrong", async () => {
    const file = writeCsv(dir, "usage.csv", devicesNamed("USE-", 1));
    const bad = await runCli(["import", file, "--batch-size", "0", "--poll-timeout", "soon"], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--batch-size: must be at least 1");
    expect(bad.stderr).toContain("--poll-timeout: expected a duration");
    const missing = await runCli(["import", "nope.csv"], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("cannot read nope.csv: no such file");
    const denied = await runCli(
      ["import", file, "--graph-url", emulator.graphUrl, "--authority-host", emulator.authorityHost, "--ca-cert", emulator.caCertPath, "--log-level", "silent"],
      { env: { ...auth, AZURE_CLIENT_SECRET: "wrong" }, cwd: dir },
    );
    expect(denied.code).toBe(3);
    expect(denied.stderr).not.toContain("wrong");
  });

  it("stops on SIGINT with exit 130, keeping the rows finished so far", async () => {
    const file = writeCsv(dir, "sigint.csv", [...devicesNamed("SIG-", 3), { serial: "CLI-STUCK", hash: makeHash() }]);
    const report = path.join(dir, "sigint-report.csv");
    const cli = startCli(
      // --no-verify: imported rows are written as they finish (with verification they wait for their check).
      ["import", file, "--graph-url", emulator.graphUrl, "--authority-host", emulator.authorityHost, "--ca-cert", emulator.caCertPath, "--report", report, "--no-verify"],
      { env: auth, cwd: dir },
    );
    // Three devices finish; the stuck one keeps the run polling until the signal.
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && !(existsSync(report) && readFileSync(report, "utf8").trim().split("\n").length === 4)) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    cli.child.kill("SIGINT");
    const result = await cli.result;
    expect(result.code).toBe(130);
    expect(result.stderr).toContain(`the rows finished so far are in ${report}`);
    expect(readCsvReport(report).map((r) => r.status)).toEqual(["imported", "imported", "imported"]);
  });

  it("runs the demo: emulator in-process, bundled samples, an 806 and an 808 in the report, then verify, sync and cleanup", async () => {
    const demoDir = mkdtempSync(path.join(tmpdir(), "autopilot-import-demo-"));
    const started = Date.now();
    const result = await runCli(["demo", "--json", "--report", "demo.csv"], { cwd: demoDir });
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as Record<string, number> & { sync: { status: string }; cleanup: { deleted: number; remaining: number } };
    expect(summary.sync.status).toBe("triggered");
    expect(summary.cleanup).toEqual({ deleted: summary.submitted, remaining: 0 });
    expect(summary.registered).toBe(summary.imported);
    expect(summary.alreadyRegistered).toBe(1);
    expect(summary.failed).toBe(1);
    expect(summary.imported).toBe((summary.valid ?? 0) - 2);
    const rows = readCsvReport(path.join(demoDir, "demo.csv"));
    expect(rows).toHaveLength(summary.rows!);
    expect(rows.filter((r) => r.errorCode === "806")).toHaveLength(1);
    expect(rows.filter((r) => r.errorCode === "808")).toHaveLength(1);
    expect(rows.filter((r) => r.status === "imported").every((r) => r.registered === "yes")).toBe(true);
    expect(result.stderr).toContain(`report: ${path.join(demoDir, "demo.csv")}`);
    // The outcomes are told before the cleanup's remainder, as in `import`.
    expect(result.stderr.indexOf("report: ")).toBeLessThan(result.stderr.lastIndexOf("cleanup: "));
  });
});
