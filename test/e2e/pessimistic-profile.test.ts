/**
 * The "done when": the real CLI, one run, against fixtures/scenarios/pessimistic.json at full length
 * (processing of minutes with a pending phase, registration lag, importId not kept, $select failing, $batch 424,
 * fractional or missing Retry-After, hyphenated contains refused), a few hundred devices in small uploads, and a share
 * of import answers lost after the service applied them. Every device ends imported or clearly reported, none is
 * submitted twice, and no staged record is left behind.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emulatorEnv, startEmulator, type EmulatorHandle } from "../../src/emulator/index.js";
import { listJournals, stateLayout } from "../../src/state/state-dir.js";
import { startCli } from "../support/cli-process.js";
import { devicesNamed, readCsvReport, writeCsv } from "../support/device-csv.js";
import { PESSIMISTIC } from "../support/profiles.js";

const DEVICES = 300;
const IMPORT_ROUTE = "/deviceManagement/importedWindowsAutopilotDeviceIdentities/import";

let emulator: EmulatorHandle;
let dir: string;

beforeAll(async () => {
  emulator = await startEmulator({
    scenario: {
      ...PESSIMISTIC,
      // Minutes of emulated processing pass in seconds; the limits keep their emulated 20-second windows.
      clock: { speed: 100 },
      faults: { reset: { rate: 0.12, tookEffectRatio: 0.6 }, status504: { rate: 0.05, tookEffectRatio: 0.6 } },
    },
  });
  dir = mkdtempSync(path.join(tmpdir(), "autopilot-import-pessimistic-"));
});
afterAll(() => emulator?.close());

describe("the pessimistic profile, whole run", () => {
  it(`${DEVICES} devices in uploads of 10 with lost import answers: one run, every device once, nothing left staged`, async () => {
    // Hyphenated serials, as many OEMs print them.
    const devices = devicesNamed("PF-7Q-", DEVICES);
    const file = writeCsv(dir, "devices.csv", devices);
    const report = path.join(dir, "report.csv");
    const state = path.join(dir, "state");
    const cli = startCli(
      ["import", file, "--report", report, "--json", "--batch-size", "10", "--state-dir", state, "--no-sync", "--write-limit", "1000/2s", "--log-file", path.join(dir, "run.log")],
      { env: { ...emulatorEnv(emulator), AUTOPILOT_IMPORT_LOG_LEVEL: "info" }, cwd: dir },
    );
    const result = await cli.result;
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout) as { imported: number; failed: number; submitted: number; registered: number; cleanup: { deleted: number; remaining: number } };
    expect(summary).toMatchObject({ submitted: DEVICES, imported: DEVICES, failed: 0, registered: DEVICES, cleanup: { deleted: DEVICES, remaining: 0 } });

    const rows = readCsvReport(report);
    expect(rows).toHaveLength(DEVICES);
    expect(rows.every((row) => row.status === "imported" && row.registered === "yes")).toBe(true);

    const stats = emulator.stats();
    // Lost answers happened, some after the service had applied the import: only reconciliation kept them single.
    const lostImports = stats.faulted.recent.filter((f) => f.method === "POST" && f.path.endsWith(IMPORT_ROUTE));
    expect(lostImports.some((f) => f.tookEffect)).toBe(true);
    expect(stats.submissions.serialsSubmittedMoreThanOnce).toEqual([]);
    expect(Object.keys(stats.submissions.bySerial)).toHaveLength(DEVICES);
    // No staged record left behind (the cleanup deleted exactly ours), and every device registered once.
    const held = emulator.devices();
    expect(held.staged).toHaveLength(0);
    expect(held.registered).toHaveLength(DEVICES);

    // What the run learned of the service is in its journal, for a resume; and said once in the log.
    const [journal] = listJournals(stateLayout(state));
    const traits = readFileSync(journal!.file, "utf8")
      .split("\n")
      .filter((line) => line.includes('"service-trait"'))
      .map((line) => (JSON.parse(line) as { r: { name: string; value: boolean } }).r)
      .map((trait) => `${trait.name}=${String(trait.value)}`);
    // (Serial lookups, and so the hyphen answer, are not needed here: devices are found by their registration ids.)
    expect(traits.sort()).toEqual(["importIdKept=false", "selectWorks=false"]);
    const log = readFileSync(path.join(dir, "run.log"), "utf8");
    expect(log.match(/does not keep the importId we send/g)).toHaveLength(1);
  }, 120_000);
});
