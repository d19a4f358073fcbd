/**
 * After registration, under the pessimistic profile (fixtures/scenarios/pessimistic.json: minutes of processing and
 * registration lag, $select failing, $batch 424, odd Retry-After, Entra device objects lagging the registration) with
 * lost answers (resets and 504s, some after the service applied the request): one `import --wait-profile
 * --add-to-group` run puts every device in the group exactly once and sees every profile assigned.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emulatorEnv, startEmulator, type EmulatorHandle } from "../../src/emulator/index.js";
import { startCli } from "../support/cli-process.js";
import { devicesNamed, readCsvReport, writeCsv } from "../support/device-csv.js";
import { PESSIMISTIC } from "../support/profiles.js";

const DEVICES = 45;
const GROUP_ID = "0b7e43a8-58f4-4c8e-9a53-2f6d1c9e7a10";

let emulator: EmulatorHandle;
let dir: string;

beforeAll(async () => {
  emulator = await startEmulator({
    scenario: {
      ...PESSIMISTIC,
      // Minutes of processing and profile assignment pass in seconds; the limits keep their emulated 20-second windows.
      clock: { speed: 500 },
      faults: { reset: { rate: 0.1, tookEffectRatio: 0.6 }, status504: { rate: 0.05, tookEffectRatio: 0.6 } },
      directory: { ...PESSIMISTIC.directory, groups: [{ id: GROUP_ID, displayName: "Autopilot Devices" }] },
    },
  });
  dir = mkdtempSync(path.join(tmpdir(), "autopilot-import-pessimistic-lifecycle-"));
});
afterAll(() => emulator?.close());

describe("the pessimistic profile, after registration", () => {
  it(`${DEVICES} devices: each added to the group once despite lost answers, each profile assigned`, async () => {
    const devices = devicesNamed("PL-", DEVICES).map((device) => ({ ...device, groupTag: "Sales" }));
    const file = writeCsv(dir, "devices.csv", devices);
    const report = path.join(dir, "report.csv");
    const cli = startCli(
      ["import", file, "--report", report, "--json", "--batch-size", "15", "--state-dir", path.join(dir, "state"), "--no-sync", "--no-cleanup", "--write-limit", "1000/2s",
        "--wait-profile", "2h", "--add-to-group", "Autopilot Devices", "--add-to-group-wait", "30m", "--log-level", "error"],
      { env: emulatorEnv(emulator), cwd: dir },
    );
    const result = await cli.result;
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(summary).toMatchObject({ imported: DEVICES, registered: DEVICES, groups: { failed: 0, devicesFailed: 0 }, profiles: { assigned: DEVICES, pending: 0, notAssigned: 0, failed: 0 } });

    const rows = readCsvReport(report);
    expect(rows).toHaveLength(DEVICES);
    for (const row of rows) {
      expect(row).toMatchObject({ status: "imported", registered: "yes", profileStatus: "assigned", profileName: "Autopilot default" });
      // A PATCH applied but its answer lost comes back "already exists" on the retry: still one membership.
      expect(row.groups).toMatch(/^Autopilot Devices: (added|already member)$/);
    }
    const directory = emulator.directory();
    expect([...(directory.groups.find((group) => group.id === GROUP_ID)?.memberSerials ?? [])].sort()).toEqual(devices.map((d) => d.serial).sort());
    // Every accepted reference is a new membership: exactly one per device, whatever was retried.
    expect(directory.memberWrites.reduce((sum, n) => sum + n, 0)).toBe(DEVICES);
    const stats = emulator.stats();
    expect(stats.submissions.serialsSubmittedMoreThanOnce).toEqual([]);
    expect(stats.faulted.recent.some((fault) => fault.tookEffect)).toBe(true);
    expect(`${result.stdout}${result.stderr}${readFileSync(report, "utf8")}`).not.toContain(emulator.clientSecret);
  }, 120_000);
});
