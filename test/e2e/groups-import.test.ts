/**
 * `import --add-to-group` end to end: the built CLI against the emulator's directory. Devices go into a static group
 * 20 per request once their registration is confirmed; members already there count as success; a re-run adds nothing;
 * a missing, ambiguous or dynamic group and a missing permission stop the run before anything is submitted; a device
 * whose Entra object never shows is reported, not lost (the wait itself: test/groups/add-to-groups.test.ts).
 */
import { existsSync, readFileSync } from "node:fs";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ScenarioInput } from "../../src/emulator/index.js";
import { BIN, runCli } from "../support/cli-process.js";
import { bySerial, devicesNamed, makeHash, readCsvReport, type CsvDevice } from "../support/device-csv.js";
import { cliImportSetup } from "./cli-runs.js";
import { startTenant, type Tenant } from "./update-helpers.js";

const GROUP_ID = "6f1c2a52-7a0e-4c57-9d1f-0b8a2c3d4e5f";
const PATCH_ROUTE = "PATCH /v1.0/groups/{id}";
const REF_ROUTE = "POST /v1.0/groups/{id}/members/$ref";
const GROUPS = {
  groups: [
    { id: GROUP_ID, displayName: "Autopilot Devices" },
    { displayName: "Kiosks" },
    { displayName: "Kiosks" },
    { displayName: "All Autopilot", membershipRule: '(device.devicePhysicalIds -any (_ -contains "[ZTDId]"))' },
  ],
};

/** Every request the emulator answered on a route, whatever its status. */
const calls = (t: Tenant, route: string): number => Object.values(t.emulator.stats().requests.byRoute[route] ?? {}).reduce((a, b) => a + b, 0);

describe("import --add-to-group", () => {
  let tenant: Tenant | undefined;
  beforeAll(() => {
    expect(existsSync(BIN), "run `npm run build` before the CLI tests").toBe(true);
  });
  afterEach(async () => {
    await tenant?.emulator.close();
    tenant = undefined;
  });

  const start = async (scenario: ScenarioInput = {}): Promise<Tenant> =>
    (tenant = await startTenant({ processing: { delayMs: 1000, spreadMs: 500 }, ...scenario, directory: { ...GROUPS, ...scenario.directory } }));

  const importCli = (t: Tenant, devices: readonly CsvDevice[], extra: readonly string[]) => {
    const setup = cliImportSetup("groups-import-", devices, extra);
    return { setup, run: () => runCli([...setup.args, ...t.flags], { env: t.env, cwd: setup.dir }) };
  };

  it("adds 45 imported devices 20 per request (by display name), tells the tag's dynamic rule, and a re-run adds nothing twice", async () => {
    const t = await start();
    const devices = devicesNamed("GRP", 45).map((d) => ({ ...d, groupTag: "Sales" }));
    const { setup, run } = importCli(t, devices, ["--add-to-group", "Autopilot Devices"]);
    const first = await run();
    expect(first.code, first.stderr).toBe(0);
    const summary = JSON.parse(first.stdout) as Record<string, unknown>;
    expect(summary).toMatchObject({ imported: 45, registered: 45, groups: { added: 45, alreadyMember: 0, failed: 0, devicesFailed: 0 } });
    expect(first.stderr).toContain("groups: 45 added, 0 already members\n");
    expect(first.stderr).toContain('(device.devicePhysicalIds -any (_ -eq "[OrderID]:Sales"))');
    // 20 references per PATCH: 45 devices take three writes, and the Entra lookups ride in JSON batches.
    const directory = t.emulator.directory();
    expect(directory.memberWrites).toEqual([20, 20, 5]);
    expect(calls(t, PATCH_ROUTE)).toBe(3);
    expect(calls(t, REF_ROUTE)).toBe(0);
    expect([...(directory.groups.find((g) => g.id === GROUP_ID)?.memberSerials ?? [])].sort()).toEqual(devices.map((d) => d.serial).sort());
    const report = readCsvReport(setup.report);
    expect(report).toHaveLength(45);
    for (const row of report) expect(row).toMatchObject({ status: "imported", registered: "yes", groups: "Autopilot Devices: added" });
    expect(`${first.stdout}${first.stderr}${readFileSync(setup.report, "utf8")}`).not.toContain(t.emulator.clientSecret);

    // The same command again: every row is done in its journal, so nothing is looked up or added again.
    const again = await run();
    expect(again.code, again.stderr).toBe(0);
    expect(t.emulator.directory().memberWrites).toEqual([20, 20, 5]);
    expect(calls(t, PATCH_ROUTE)).toBe(3);
  });

  it("counts devices already in the group as success: the refused chunk is added one by one; every row one outcome", async () => {
    const existing = ["EX-1", "EX-2", "EX-3"];
    const t = await start({
      tenant: { registeredDevices: existing.map((serialNumber) => ({ serialNumber })) },
      directory: { groups: [{ id: GROUP_ID, displayName: "Autopilot Devices", memberSerials: ["EX-1", "EX-2"] }] },
    });
    // Tagged in the file: --update-existing looks the registered ones up (and tags them), which gives their record ids.
    const devices = [...existing.map((serial) => ({ serial, hash: makeHash() })), ...devicesNamed("NEW", 5)].map((d) => ({ ...d, groupTag: "Sales" }));
    const { setup, run } = importCli(t, devices, ["--add-to-group", GROUP_ID, "--update-existing"]);
    const result = await run();
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ groups: { added: 6, alreadyMember: 2, failed: 0, devicesFailed: 0 } });
    const rows = bySerial(readCsvReport(setup.report));
    expect(Object.keys(rows)).toHaveLength(8);
    expect(rows["EX-1"]?.groups).toBe("Autopilot Devices: already member");
    expect(rows["EX-2"]?.groups).toBe("Autopilot Devices: already member");
    for (const serial of ["EX-3", ...devices.slice(3).map((d) => d.serial)]) expect(rows[serial]?.groups).toBe("Autopilot Devices: added");
    // One PATCH refused as a whole (a reference exists), then each member on its own: six accepted, two refused.
    const directory = t.emulator.directory();
    expect(directory.memberWrites).toEqual([1, 1, 1, 1, 1, 1]);
    expect(directory.memberWritesRefused).toBe(3);
    expect(calls(t, PATCH_ROUTE)).toBe(1);
    expect(calls(t, REF_ROUTE)).toBe(8);
    const members = directory.groups[0]!.memberSerials;
    expect([...members].sort()).toEqual(devices.map((d) => d.serial).sort());
  });

  it.each([
    ["a group that does not exist", "Missing Group", /--add-to-group 'Missing Group': no group has this display name/],
    ["an ambiguous display name", "Kiosks", /--add-to-group 'Kiosks': 2 groups have this display name \([0-9a-f-]+, [0-9a-f-]+\): give the object id/],
    ["a dynamic group", "All Autopilot", /--add-to-group 'All Autopilot': the group has dynamic membership \(rule: \(device\.devicePhysicalIds -any \(_ -contains "\[ZTDId\]"\)\)\)/],
  ])("refuses %s before anything is submitted (exit 2, one line)", async (_what, group, message) => {
    const t = await start();
    const { setup, run } = importCli(t, devicesNamed("TYPO", 3), ["--add-to-group", "Autopilot Devices", "--add-to-group", group]);
    const result = await run();
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stdout).toBe("");
    expect(t.emulator.stats().devices.stagedCreated).toBe(0);
    expect(existsSync(setup.report)).toBe(false);
    expect(existsSync(setup.stateDir)).toBe(false);
  });

  it("without GroupMember.ReadWrite.All: Graph's 403 is named with the permissions, before anything is submitted (exit 3)", async () => {
    const t = await start({ auth: { grants: { groupMemberPermission: false } } });
    const { run } = importCli(t, devicesNamed("PERM", 3), ["--add-to-group", "Autopilot Devices"]);
    const result = await run();
    expect(result.code).toBe(3);
    expect(result.stderr).toContain("Authorization_RequestDenied");
    expect(result.stderr).toContain("GroupMember.ReadWrite.All and Device.Read.All");
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).not.toContain(t.emulator.clientSecret);
    expect(t.emulator.stats().devices.stagedCreated).toBe(0);
  });

  it("reports devices whose Entra object never shows within --add-to-group-wait (exit 1): imported, and the groups cell says why", async () => {
    // The directory shows device objects only a day after their registration: none is found in the wait.
    const t = await start({ directory: { ...GROUPS, deviceLagMs: 86_400_000 } });
    const devices = devicesNamed("LAG", 2);
    const { setup, run } = importCli(t, devices, ["--add-to-group", "Autopilot Devices", "--add-to-group-wait", "1s"]);
    const result = await run();
    expect(result.code, result.stderr).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ imported: 2, failed: 0, groups: { added: 0, failed: 2, devicesFailed: 2 } });
    expect(result.stderr).toContain("groups: 0 added, 0 already members, 2 failed (2 devices: see the report's groups column)");
    for (const row of readCsvReport(setup.report)) {
      expect(row.status).toBe("imported");
      expect(row.groups).toMatch(/^not added to Autopilot Devices: its Entra device \([0-9a-f-]+\) was not in the directory within 1 s/);
    }
    expect(t.emulator.directory().memberWrites).toEqual([]);
  });
});
