/**
 * The deployment profile wait end to end: the built CLI against the emulator (its clock 1,000× real time, so the
 * assignment timeline of minutes passes in under a second). `import --wait-profile` follows the registered devices:
 * late assignments, a device a profile targets but its group never catches, one whose assignment fails, devices no
 * profile targets (with the reason), and devices not imported at all (no profile columns). Every row has one outcome,
 * nothing is submitted twice, no secret is written, and the profile reads stay a few batched rounds.
 */
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emulatorEnv, startEmulator, type EmulatorHandle, type ObservedGraphRequest } from "../../src/emulator/index.js";
import { BIN, runCli } from "../support/cli-process.js";
import { bySerial, makeHash, readCsvReport, writeCsv, type CsvDevice } from "../support/device-csv.js";

/** A GET of one device's profile assignment (batched or not), or a listing of them. */
const isProfileRead = (r: ObservedGraphRequest): boolean => r.method === "GET" && r.version === "beta" && r.path.includes("deploymentProfileAssignmentStatus");

describe("import --wait-profile", () => {
  let emulator: EmulatorHandle;
  let dir: string;
  const observed: ObservedGraphRequest[] = [];
  beforeAll(async () => {
    expect(existsSync(BIN), "run `npm run build` before the CLI tests").toBe(true);
    emulator = await startEmulator({
      scenario: {
        clock: { speed: 1000 },
        processing: { delayMs: 2000, spreadMs: 1000 },
        outcomes: { otherTenantSerials: ["W-808"] },
        profiles: {
          deploymentProfiles: [{ displayName: "Sales laptops", groupTags: ["Sales"] }],
          pendingAfterMs: 60_000,
          assignedAfterMs: 240_000,
          spreadMs: 120_000,
          neverAssignedSerials: ["S-NEVER"],
          failedSerials: ["S-FAIL"],
        },
      },
      onGraphRequest: (request) => observed.push(request),
    });
    dir = mkdtempSync(path.join(tmpdir(), "profile-wait-"));
  });
  afterAll(() => emulator?.close());

  it("reports each registered device's profile or why it has none; exit 1 while some are not assigned", async () => {
    const sales: CsvDevice[] = Array.from({ length: 10 }, (_, i) => ({ serial: `S-${i}`, hash: makeHash(), groupTag: "Sales" }));
    const devices: CsvDevice[] = [
      ...sales,
      { serial: "S-NEVER", hash: makeHash(), groupTag: "Sales" },
      { serial: "S-FAIL", hash: makeHash(), groupTag: "Sales" },
      { serial: "K-1", hash: makeHash(), groupTag: "Kiosk" },
      { serial: "K-2", hash: makeHash(), groupTag: "Kiosk" },
      { serial: "U-1", hash: makeHash() },
      { serial: "W-808", hash: makeHash(), groupTag: "Sales" },
      { serial: "BAD", hash: "not base64!" },
    ];
    const file = writeCsv(dir, "devices.csv", devices);
    const report = path.join(dir, "report.csv");
    const result = await runCli(["import", file, "--report", report, "--json", "--wait-profile", "3s", "--state-dir", path.join(dir, "state"), "--log-level", "error"], {
      env: emulatorEnv(emulator),
      cwd: dir,
    });
    expect(result.code, result.stderr).toBe(1);
    const summary = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(summary).toMatchObject({ rows: 17, imported: 15, failed: 1, invalid: 1, registered: 15, profiles: { assigned: 10, pending: 0, notAssigned: 4, failed: 1, notFound: 0 } });
    expect(result.stderr).toContain("deployment profiles: 10 assigned, 4 not assigned, 1 failed\n");

    const rows = readCsvReport(report) as Array<Record<string, string>>;
    expect(rows).toHaveLength(devices.length);
    expect(new Set(rows.map((row) => row["line"])).size).toBe(devices.length);
    const by = bySerial(rows as never) as Record<string, Record<string, string>>;
    for (const { serial } of sales) expect(by[serial]).toMatchObject({ status: "imported", registered: "yes", profileStatus: "assigned", profileName: "Sales laptops" });
    expect(by["S-FAIL"]).toMatchObject({ profileStatus: "failed", profileName: "" });
    expect(by["S-FAIL"]!["message"]).toContain("deployment profile assignment failed (hardwareRequirementsNotMet)");
    expect(by["S-NEVER"]).toMatchObject({ profileStatus: "notAssigned", profileName: "" });
    expect(by["S-NEVER"]!["message"]).toContain("no deployment profile after 3s: other devices tagged 'Sales' have profile 'Sales laptops': dynamic group rules may still be catching up");
    expect(by["K-1"]!["message"]).toContain("no profile seems to target group tag 'Kiosk'");
    expect(by["K-1"]!["message"]).toContain('(device.devicePhysicalIds -any (_ -eq "[OrderID]:Kiosk"))');
    expect(by["U-1"]!["message"]).toContain("it has no group tag and no profile targets all devices");
    // Rows that were never registered are not followed: their profile columns stay empty.
    expect(by["W-808"]).toMatchObject({ status: "failed", profileStatus: "", profileName: "" });
    expect(rows.find((row) => row["status"] === "invalid")).toMatchObject({ profileStatus: "", profileName: "" });

    const stats = emulator.stats();
    expect(stats.submissions.serialsSubmittedMoreThanOnce).toEqual([]);
    // All followed devices are read together each round (one $batch of 15, then of those left), never a loop each:
    // 3 s of 1 s rounds is 4 rounds, and a poll per device per round would have been 60 GETs.
    const reads = observed.filter(isProfileRead);
    expect(reads.length).toBeLessThanOrEqual(15 + 5 * 4);
    expect(stats.requests.byRoute["GET /beta/deviceManagement/windowsAutopilotDeploymentProfiles"]).toEqual({ 200: 1 });
    const written = `${result.stdout}${result.stderr}${readFileSync(report, "utf8")}`;
    expect(written).not.toContain(emulator.clientSecret);
  }, 60_000);
});
