/**
 * `autopilot-import profile-status` end to end: the built CLI against the emulator (clock 1,000× real time). Serials
 * from a device list or an import file are found exactly; their assignment is read once, or followed with --wait until
 * the deadline (pending); not_found and duplicate rows get their own outcome; exit 0 only when every row is assigned.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import https from "node:https";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emulatorEnv, startEmulator, type EmulatorHandle } from "../../src/emulator/index.js";
import { BIN, runCli, type CliResult } from "../support/cli-process.js";
import { rawRequest } from "../support/emulator-client.js";

const HOUR = 3_600_000;

describe("autopilot-import profile-status", () => {
  let emulator: EmulatorHandle;
  let dir: string;
  const run = (args: readonly string[]): Promise<CliResult> => runCli(["profile-status", ...args, "--log-level", "error"], { env: emulatorEnv(emulator), cwd: dir });
  const report = (name: string): Array<Record<string, string>> =>
    readFileSync(path.join(dir, name), "utf8").split("\n").filter((line) => line.trim() !== "").map((line) => JSON.parse(line) as Record<string, string>);

  beforeAll(async () => {
    expect(existsSync(BIN), "run `npm run build` before the CLI tests").toBe(true);
    // The out-of-the-box profile targets all devices; assigning takes a day of emulated time here.
    emulator = await startEmulator({ scenario: { clock: { speed: 1000 }, throttling: { enabled: false }, profiles: { pendingAfterMs: 0, assignedAfterMs: 24 * HOUR, spreadMs: 0 } } });
    dir = mkdtempSync(path.join(tmpdir(), "profile-status-"));
    // Registered as an import registers them (a POST), so their assignment timeline starts now.
    const agent = new https.Agent({ ca: emulator.caCertificate });
    const headers = { authorization: `Bearer ${emulator.issueToken().token}`, "content-type": "application/json" };
    for (const serialNumber of ["PS-1", "PS-2"]) {
      const created = await rawRequest(agent, "POST", `${emulator.graphUrl}/v1.0/deviceManagement/windowsAutopilotDeviceIdentities`, headers, JSON.stringify({ serialNumber }));
      expect(created.status).toBe(201);
    }
    agent.destroy();
    emulator.registerDevices([{ serialNumber: "PS-SEEDED", deploymentProfileAssignmentStatus: "assignedInSync" }]);
  });
  afterAll(() => emulator?.close());

  it("--wait follows the devices to the deadline: pending; not_found and duplicate rows apart; exit 1", async () => {
    writeFileSync(path.join(dir, "list.csv"), "Device Serial Number,Group Tag\r\nPS-1,\r\nps-2 ,\r\nPS-SEEDED,\r\nPS-NONE,\r\nPS-1,\r\n");
    const result = await run(["list.csv", "--wait", "2s", "--report", "wait.jsonl", "--json"]);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toBe("profile-status: 5 rows: 1 assigned, 2 pending, 1 not found, 1 duplicate; report: wait.jsonl\n");
    expect(JSON.parse(result.stdout)).toMatchObject({ rows: 5, assigned: 1, pending: 2, notAssigned: 0, failed: 0, notFound: 1, duplicates: 1, invalid: 0 });
    const rows = report("wait.jsonl");
    expect(rows.map((row) => [row["line"], row["status"]])).toEqual([[2, "pending"], [3, "pending"], [4, "assigned"], [5, "not_found"], [6, "duplicate"]]);
    expect(rows[0]!["message"]).toBe("deployment profile still being assigned after 2s (pending): check again later with 'autopilot-import profile-status'");
    expect(rows[2]).toMatchObject({ serialNumber: "PS-SEEDED", profileName: "Autopilot default", autopilotDeviceId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(`${result.stdout}${result.stderr}${readFileSync(path.join(dir, "wait.jsonl"), "utf8")}`).not.toContain(emulator.clientSecret);
  }, 30_000);

  it("reads an import file once; after the assignment every row is assigned: exit 0 (a bare --wait ends at once)", async () => {
    emulator.clock.advance(25 * HOUR);
    writeFileSync(path.join(dir, "import.csv"), "Device Serial Number,Windows Product ID,Hardware Hash\r\nPS-1,,AAAA\r\nPS-2,,BBBB\r\n");
    const once = await run(["import.csv", "--report", "once.jsonl"]);
    expect(once.code, once.stderr).toBe(0);
    expect(report("once.jsonl").map((row) => [row["serialNumber"], row["status"], row["profileName"]])).toEqual([["PS-1", "assigned", "Autopilot default"], ["PS-2", "assigned", "Autopilot default"]]);
    const bare = await run(["--wait", "import.csv", "--report", "bare.jsonl"]);
    expect(bare.code, bare.stderr).toBe(0);
    expect(bare.stderr).toBe("profile-status: 2 rows: 2 assigned; report: bare.jsonl\n");
  }, 30_000);

  it("refuses a bad --wait and a missing file with one line (exit 2)", async () => {
    const bad = await run(["list.csv", "--wait=soon"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split("\n")).toHaveLength(1);
    expect(bad.stderr).toContain("--wait: expected a duration");
    const none = await run([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^autopilot-import: profile-status: give at least one device-list file/);
  });
});
