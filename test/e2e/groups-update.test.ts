/**
 * `update --add-to-group` end to end: the built CLI against the emulator's directory. The devices an update finds go
 * into the group (members already there count as success), the tag's dynamic rule is told, and the same command again
 * adds nothing twice.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { BIN, runCli } from "../support/cli-process.js";
import { readReport, startTenant, updateArgs, type Tenant } from "./update-helpers.js";

const GROUP_ID = "0d5e7c1a-3b2f-4e6d-8a9c-1f2e3d4c5b6a";
const HP = Array.from({ length: 25 }, (_, i) => `UPD-${String(i + 1).padStart(2, "0")}`);

describe("update --add-to-group", () => {
  let tenant: Tenant | undefined;
  beforeAll(() => {
    expect(existsSync(BIN), "run `npm run build` before the CLI tests").toBe(true);
  });
  afterEach(async () => {
    await tenant?.emulator.close();
    tenant = undefined;
  });

  it("adds the selected devices (two already members), tells the tag's rule, and a re-run adds nothing twice", async () => {
    const t = (tenant = await startTenant({
      tenant: { registeredDevices: [...HP.map((serialNumber) => ({ serialNumber, manufacturer: "HP" })), { serialNumber: "DELL-1", manufacturer: "Dell Inc." }] },
      directory: { groups: [{ id: GROUP_ID, displayName: "Sales Devices", memberSerials: ["UPD-01", "UPD-02"] }] },
    }));
    const args = updateArgs(t, ["--where", "manufacturer=HP", "--set-group-tag", "Sales", "--add-to-group", "Sales Devices", "--report", "report.csv", "--json"]);
    const first = await runCli(args, { env: t.env, cwd: t.dir });
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ updated: 25, groups: { added: 23, alreadyMember: 2, failed: 0, devicesFailed: 0 } });
    expect(first.stderr).toContain('hint: a dynamic device group with this membership rule takes these devices in by group tag: \'Sales\': (device.devicePhysicalIds -any (_ -eq "[OrderID]:Sales"))');
    expect(first.stderr).toContain("groups: 23 added, 2 already members\n");
    const report = readReport(path.join(t.dir, "report.csv"));
    expect(report).toHaveLength(25);
    const groupsOf = new Map(report.map((row) => [row["serialNumber"], row["groups"]]));
    expect(groupsOf.get("UPD-01")).toBe("Sales Devices: already member");
    expect(groupsOf.get("UPD-02")).toBe("Sales Devices: already member");
    for (const serial of HP.slice(2)) expect(groupsOf.get(serial)).toBe("Sales Devices: added");
    const directory = t.emulator.directory();
    expect([...directory.groups[0]!.memberSerials].sort()).toEqual(HP);
    // 23 accepted references, none twice, never more than 20 in one request.
    expect(directory.memberWrites.reduce((a, b) => a + b, 0)).toBe(23);
    expect(Math.max(...directory.memberWrites)).toBeLessThanOrEqual(20);
    expect(`${first.stdout}${first.stderr}`).not.toContain(t.emulator.clientSecret);

    const again = await runCli(args, { env: t.env, cwd: t.dir });
    expect(again.code, again.stderr).toBe(0);
    expect(t.emulator.directory().memberWrites).toEqual(directory.memberWrites);
    expect(t.emulator.directory().groups[0]!.memberSerials).toHaveLength(25);
  });

  it("refuses a dynamic group before anything is written (exit 2)", async () => {
    const t = (tenant = await startTenant({
      tenant: { registeredDevices: HP.slice(0, 2).map((serialNumber) => ({ serialNumber, manufacturer: "HP" })) },
      directory: { groups: [{ displayName: "Tagged Sales", membershipRule: '(device.devicePhysicalIds -any (_ -eq "[OrderID]:Sales"))' }] },
    }));
    const result = await runCli(updateArgs(t, ["--where", "manufacturer=HP", "--set-group-tag", "Sales", "--add-to-group", "Tagged Sales"]), { env: t.env, cwd: t.dir });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toContain("the group has dynamic membership (rule: (device.devicePhysicalIds -any (_ -eq \"[OrderID]:Sales\")))");
    expect(t.emulator.stats().devices.updatesAccepted).toBe(0);
  });
});
