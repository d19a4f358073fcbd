import { afterEach, describe, expect, it } from "vitest";
import { startEmulator, type EmulatorHandle, type ScenarioInput } from "../../../src/emulator/index.js";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { runInProcess, type InProcessRun } from "../../support/cli-in-process.js";
import { bySerial, makeHash, readCsvReport, writeCsv } from "../../support/device-csv.js";
import { routeCounts, SYNC_ROUTE, UPDATE_ROUTE } from "../../support/emulator-harness.js";

let emulator: EmulatorHandle | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

/** Runs the CLI in this process, signed in to the emulator through the environment and trusting its CA by --ca-cert. */
function cli(args: string[], env: Record<string, string> = {}): Promise<InProcessRun> {
  const e = emulator!;
  return runInProcess([...args, "--graph-url", e.graphUrl, "--authority-host", e.authorityHost, "--ca-cert", e.caCertPath, "--log-level", "silent"], {
    AZURE_TENANT_ID: e.tenantId,
    AZURE_CLIENT_ID: e.clientId,
    AZURE_CLIENT_SECRET: e.clientSecret,
    ...env,
  });
}

async function start(scenario: ScenarioInput = {}): Promise<EmulatorHandle> {
  emulator = await startEmulator({ scenario: { throttling: { enabled: false }, ...scenario } });
  return emulator;
}

describe("autopilot-import sync and settings", () => {
  it("sync: triggers once, exit 0, JSON on stdout", async () => {
    const e = await start();
    const run = await cli(["sync", "--json"]);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain("Autopilot sync triggered.");
    expect(JSON.parse(run.stdout)).toMatchObject({ status: "triggered", triggers: 1, retryAt: null });
    expect(routeCounts(e, SYNC_ROUTE)).toEqual({ "204": 1 });
  });

  it("sync too soon without --wait: exit 1, says when it can be run", async () => {
    const e = await start({ sync: { durationMs: 0 } }); // the first sync is over at once: the second meets the 10-minute rule
    expect((await cli(["sync"])).code).toBe(0);
    const run = await cli(["sync", "--json"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/can be run at \d{4}-\d\d-\d\dT.*Run again then, or use --wait\./);
    const json = JSON.parse(run.stdout) as { status: string; retryAt: string };
    expect(json.status).toBe("tooSoon");
    expect(Date.parse(json.retryAt)).toBeGreaterThan(e.clock.now().getTime());
    expect(routeCounts(e, SYNC_ROUTE)).toEqual({ "204": 1, "429": 1 });
  });

  it("sync --wait on a fast clock: waits out Retry-After and triggers once more", async () => {
    // 600x: the 10-minute rule lasts one real second; the emulator gives Retry-After in real seconds.
    const e = await start({ clock: { speed: 600 }, sync: { retryAfterOn429: true, durationMs: 1_000 } });
    expect((await cli(["sync"])).code).toBe(0);
    const run = await cli(["sync", "--wait", "--json"], { AUTOPILOT_IMPORT_SYNC_MAX_WAIT: "5m" });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: "triggered", triggers: 2 });
    expect(routeCounts(e, SYNC_ROUTE)).toEqual({ "204": 2, "429": 1 });
  });

  it("settings: a table, or JSON", async () => {
    await start();
    const table = await cli(["settings"]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^Sync status\s+completed$/m);
    expect(table.stdout).toMatch(/^Last manual sync trigger\s+never$/m);
    expect(table.stdout).toMatch(/^Next manual sync allowed\s+now$/m);
    await cli(["sync"]);
    const json = JSON.parse((await cli(["settings", "--json"])).stdout) as Record<string, string>;
    expect(json.syncStatus).toBe("inProgress");
    expect(Date.parse(json.nextManualSyncAllowedDateTime!) - Date.parse(json.lastManualSyncTriggerDateTime!)).toBe(600_000);
  });

  it("usage errors exit 2; a rejected secret exits 3", async () => {
    await start();
    const bad = await cli(["sync", "--max-wait", "soon"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--max-wait: expected a duration");
    expect((await cli(["settings", "extra"])).code).toBe(2);
    const denied = await cli(["settings"], { AZURE_CLIENT_SECRET: "wrong" });
    expect(denied.code).toBe(3);
  });

  it("import: verifies, updates with --update-existing, syncs once; the JSON and the report say so", async () => {
    const e = await start({ processing: { delayMs: 0, spreadMs: 0 } });
    e.registerDevices([{ serialNumber: "CLI-OLD", groupTag: "Before" }]);
    const dir = mkdtempSync(path.join(tmpdir(), "autopilot-import-after-cli-"));
    const file = writeCsv(dir, "in.csv", [
      { serial: "CLI-NEW", hash: makeHash() },
      { serial: "CLI-OLD", hash: makeHash(), groupTag: "After" },
    ]);
    const report = path.join(dir, "out.csv");
    // The run's journal goes to the test's directory (not the working directory).
    const state = { AUTOPILOT_IMPORT_STATE_DIR: path.join(dir, "state") };
    const run = await cli(["import", file, "--report", report, "--json", "--update-existing"], state);
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(Object.keys(summary)).toEqual([
      "rows", "valid", "invalid", "duplicates", "submitted", "imported", "alreadyRegistered", "updated", "failed", "timedOut",
      "registered", "uploads", "requests", "durationMs", "sync", "cleanup", "profiles",
    ]);
    expect(summary).toMatchObject({ rows: 2, imported: 1, alreadyRegistered: 0, updated: 1, registered: 2, sync: { status: "triggered" } });
    expect(run.stderr).toContain("registered in Autopilot: 2 of 2 checked confirmed");
    expect(run.stderr).toContain("sync: Autopilot sync triggered.");
    const rows = bySerial(readCsvReport(report));
    expect(rows["CLI-NEW"]).toMatchObject({ status: "imported", registered: "yes" });
    expect(rows["CLI-OLD"]).toMatchObject({ status: "updated", registered: "yes" });
    expect(routeCounts(e, UPDATE_ROUTE)).toEqual({ "204": 1 });
    expect(routeCounts(e, SYNC_ROUTE)).toEqual({ "204": 1 });

    // --no-verify --no-sync: nothing after polling, a device already registered stays so and counts as success.
    // --fresh: the same file again is the same run, which is finished: only --fresh submits it again.
    const again = await cli(["import", file, "--report", path.join(dir, "again.csv"), "--json", "--no-verify", "--no-sync", "--fresh"], state);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ alreadyRegistered: 2, registered: 0, sync: { status: "skipped" } });
    expect(routeCounts(e, SYNC_ROUTE)).toEqual({ "204": 1 });
  });
});
