/**
 * `autopilot-import update` end to end: the built CLI against the emulator's seeded tenant. The export → edit → update
 * round trip (only edited rows written, the update lag), --where selections, rows that match nothing or several
 * devices, invalid rows, the dry run, and the usage errors.
 */
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { runInProcess } from "../support/cli-in-process.js";
import { PROFILES } from "../support/profiles.js";
import { BIN, runCli } from "../support/cli-process.js";
import { readReport, readSimpleCsv, startTenant, updateArgs, updatesById, writeCsv, type Tenant } from "./update-helpers.js";

const HOUR = 3_600_000;

describe("autopilot-import update", () => {
  let tenant: Tenant | undefined;
  beforeAll(() => {
    expect(existsSync(BIN), "run `npm run build` before the CLI tests").toBe(true);
  });
  afterEach(async () => {
    await tenant?.emulator.close();
    tenant = undefined;
  });

  it.each(PROFILES)("export → edit three rows → update writes only those (the others unchanged); after the update lag a new export shows them ($name)", async (profile) => {
    const scenario = profile.apply({ processing: { delayMs: 1000, updateLagMs: HOUR }, tenant: { registeredSeed: { count: 30, serialPrefix: "RT", untaggedRatio: 0.3, assignedUserRatio: 0.5 } } });
    const t = (tenant = await startTenant({ ...scenario, processing: { ...scenario.processing, updateLagMs: HOUR } }));
    const run = (args: string[]) => runCli(args[0] === "update" ? updateArgs(t, args.slice(1)) : [...args, ...t.flags], { env: t.env, cwd: t.dir });
    expect((await run(["export", "--out", "devices.csv"])).code).toBe(0);
    const [header, ...rows] = readSimpleCsv(path.join(t.dir, "devices.csv"));
    const col = (name: string): number => header!.indexOf(name);
    // As a user would in Excel: a new tag on one tagged device; another's tag cleared and a display name given.
    const retag = rows.find((row) => row[col("Group Tag")] !== "")!;
    const clear = rows.find((row) => row !== retag && row[col("Group Tag")] !== "" && row[col("Display Name")] === "")!;
    // A user removed: with unassignUserFromDevice, whatever the service makes of an empty userPrincipalName.
    const unassign = rows.find((row) => row !== retag && row !== clear && row[col("Assigned User")] !== "")!;
    const oldRetag = retag[col("Group Tag")];
    const oldClear = clear[col("Group Tag")];
    const oldUser = unassign[col("Assigned User")];
    retag[col("Group Tag")] = "Moved";
    clear[col("Group Tag")] = "";
    clear[col("Display Name")] = "PC-7";
    unassign[col("Assigned User")] = "";
    writeCsv(path.join(t.dir, "edited.csv"), [header!, ...rows]);

    const result = await run(["update", "edited.csv", "--report", "report.csv", "--json"]);
    // The pessimistic service also gets its one warning: contains() refusing the serials' hyphen was learnt.
    expect(result.stderr.endsWith(`update: 3 updated, 27 unchanged; report: ${path.join(t.dir, "report.csv")}\n`)).toBe(true);
    expect(result.stderr.split("\n").length).toBe(profile.name === "default" ? 2 : 3);
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(summary).toMatchObject({ updated: 3, unchanged: 27, rows: 30, notFound: 0, failed: 0, dryRun: false, report: path.join(t.dir, "report.csv") });
    // One lookup per 20 serials (JSON batches), a few writes, the sign-in: nowhere near a request per device.
    expect(summary["requests"]).toBeLessThanOrEqual(6);
    const id = (row: string[]): string => row[col("Autopilot Device ID")]!;
    expect(updatesById(t.emulator)).toEqual({ [id(retag)]: 1, [id(clear)]: 1 });
    expect(t.emulator.stats().devices.userUnassigns).toBe(1);

    const report = readReport(path.join(t.dir, "report.csv"));
    expect(report.map((row) => row["serialNumber"])).toEqual(rows.map((row) => row[0]));
    expect(report.map((row) => row["line"])).toEqual(rows.map((_, i) => String(i + 2)));
    const bySerial = new Map(report.map((row) => [row["serialNumber"], row]));
    expect(bySerial.get(retag[0])).toMatchObject({ status: "updated", deviceId: id(retag), changes: `groupTag: '${oldRetag}' → 'Moved'` });
    expect(bySerial.get(clear[0])).toMatchObject({ status: "updated", deviceId: id(clear), changes: `groupTag: '${oldClear}' → ''; displayName: '' → 'PC-7'` });
    expect(bySerial.get(unassign[0])).toMatchObject({ status: "updated", deviceId: id(unassign), changes: `userPrincipalName: '${oldUser}' → ''` });
    expect(report.filter((row) => row["status"] === "unchanged")).toHaveLength(27);
    expect(`${result.stdout}${result.stderr}${JSON.stringify(report)}`).not.toContain(t.emulator.clientSecret);

    // The service applies updates after a lag: until then the device shows its old values; then a new export shows the new ones.
    expect(t.emulator.devices().registered.find((device) => device.id === id(retag))?.groupTag).toBe(oldRetag);
    t.emulator.clock.advance(HOUR);
    expect((await run(["export", "--out", "after.csv"])).code).toBe(0);
    const after = new Map(readSimpleCsv(path.join(t.dir, "after.csv")).map((row) => [row[0], row]));
    expect(after.get(retag[0])?.[col("Group Tag")]).toBe("Moved");
    expect([after.get(clear[0])?.[col("Group Tag")], after.get(clear[0])?.[col("Display Name")]]).toEqual(["", "PC-7"]);
    expect(after.get(unassign[0])?.[col("Assigned User")]).toBe("");

    // The same command again: its journal says every row is done, nothing is written again.
    const again = await run(["update", "edited.csv", "--report", "again.csv"]);
    expect(again.code).toBe(0);
    expect(readReport(path.join(t.dir, "again.csv")).map((row) => row["status"])).toEqual(report.map((row) => row["status"]));
    expect(t.emulator.stats().devices).toMatchObject({ updatesAccepted: 2, userUnassigns: 1 });
  }, 60_000);

  it("--where selects from the tenant's list: only untagged devices get the tag; manufacturer, model and purchase order combine", async () => {
    const t = (tenant = await startTenant({ tenant: { registeredSeed: { count: 60, serialPrefix: "WH", untaggedRatio: 0.3 } } }));
    const run = (args: string[]) => runCli(args[0] === "update" ? updateArgs(t, args.slice(1)) : [...args, ...t.flags], { env: t.env, cwd: t.dir });
    const before = t.emulator.devices().registered;
    const untagged = before.filter((device) => device.groupTag === "");
    expect(untagged.length).toBeGreaterThan(5);

    const result = await run(["update", "--where", "group-tag=", "--set-group-tag", "Unassigned", "--report", "untagged.csv", "--json"]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ updated: untagged.length, rows: untagged.length });
    expect(updatesById(t.emulator)).toEqual(Object.fromEntries(untagged.map((device) => [device.id, 1])));
    const now = new Map(t.emulator.devices().registered.map((device) => [device.id, device]));
    for (const device of before) expect(now.get(device.id)?.groupTag).toBe(device.groupTag === "" ? "Unassigned" : device.groupTag);
    const report = readReport(path.join(t.dir, "untagged.csv"));
    expect(report.map((row) => row["serialNumber"]).sort()).toEqual(untagged.map((device) => device.serialNumber).sort());
    expect(new Set(report.map((row) => `${row["status"]}|${row["changes"]}|${row["file"]}|${row["line"]}`))).toEqual(new Set(["updated|groupTag: '' → 'Unassigned'||"]));

    const hp = [...now.values()].filter((device) => device.manufacturer === "HP" && device.model === "HP ProBook 450 G10" && device.purchaseOrderIdentifier === "PO-1001");
    expect(hp.length).toBeGreaterThan(0);
    const user = "Fleet.Admin@contoso.com";
    const selected = await run(["update", "--where", "manufacturer=hp and model=HP ProBook 450 G10 and purchase-order=PO-1001", "--set-user", user, "--set-display-name", "HP-POOL", "--report", "hp.csv", "--json"]);
    expect(selected.code).toBe(0);
    expect(JSON.parse(selected.stdout)).toMatchObject({ updated: hp.length, rows: hp.length });
    for (const device of t.emulator.devices().registered) {
      const chosen = hp.some((h) => h.id === device.id);
      expect(device.userPrincipalName === user && device["displayName"] === "HP-POOL").toBe(chosen);
    }
  }, 60_000);

  it("reports not_found, ambiguous (naming both ids), invalid and duplicate rows without sending anything for them; --dry-run writes nothing", async () => {
    const t = (tenant = await startTenant({
      tenant: {
        registeredDevices: [
          { id: "dup-a", serialNumber: "DUP-1", groupTag: "A" },
          { id: "dup-b", serialNumber: "dup-1", groupTag: "B" },
          { id: "ok-1", serialNumber: "OK-1", groupTag: "Old", userPrincipalName: "Ann@contoso.com" },
          { id: "ok-2", serialNumber: "OK-2", groupTag: "Same", userPrincipalName: "bob@contoso.com" },
        ],
      },
    }));
    const run = (args: string[]) => runCli(args[0] === "update" ? updateArgs(t, args.slice(1)) : [...args, ...t.flags], { env: t.env, cwd: t.dir });
    writeCsv(path.join(t.dir, "rows.csv"), [
      ["Device Serial Number", "Group Tag", "Assigned User"],
      ["OK-1", "New", "ann@CONTOSO.com"],
      ["NOPE-1", "New", ""],
      ["DUP-1", "New", ""],
      ["OK-2", "Same", "not-a-upn"],
      ["OK-2", "x".repeat(129), "bob@contoso.com"],
      ["OK-2", "Same", "BOB@contoso.com"],
      ["ok-1", "Other", ""],
    ]);
    const plan = await run(["update", "rows.csv", "--dry-run", "--report", "plan.csv"]);
    expect(plan.code).toBe(1);
    expect(plan.stdout).toBe("OK-1\tok-1\tgroupTag: 'Old' → 'New'\ndry run: 1 device would be updated (1 unchanged, 1 would_update, 1 not_found, 1 ambiguous, 2 invalid, 1 duplicate); nothing was written\n");
    expect(plan.stderr).toBe(`update (dry run): 1 unchanged, 1 would_update, 1 not_found, 1 ambiguous, 2 invalid, 1 duplicate; report: ${path.join(t.dir, "plan.csv")}\n`);
    expect(existsSync(path.join(t.dir, "state")), "a dry run keeps no journal").toBe(false);
    expect(t.emulator.stats().devices.updatesAccepted).toBe(0);
    expect(readReport(path.join(t.dir, "plan.csv")).map((row) => row["status"])).toEqual(["would_update", "not_found", "ambiguous", "invalid", "invalid", "unchanged", "duplicate"]);

    const result = await run(["update", "rows.csv", "--report", "report.csv"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    const report = readReport(path.join(t.dir, "report.csv"));
    expect(report.map((row) => [row["line"], row["serialNumber"], row["status"], row["deviceId"]])).toEqual([
      ["2", "OK-1", "updated", "ok-1"],
      ["3", "NOPE-1", "not_found", ""],
      ["4", "DUP-1", "ambiguous", ""],
      ["5", "OK-2", "invalid", ""],
      ["6", "OK-2", "invalid", ""],
      ["7", "OK-2", "unchanged", "ok-2"],
      ["8", "ok-1", "duplicate", ""],
    ]);
    expect(report[2]?.["message"]).toContain("dup-a, dup-b");
    expect(report[3]?.["message"]).toMatch(/user principal name/);
    expect(report[4]?.["message"]).toMatch(/129 characters/);
    // The user differs only in case: the service compares without it, so only the tag is sent.
    expect(report[0]?.["changes"]).toBe("groupTag: 'Old' → 'New'");
    expect(updatesById(t.emulator)).toEqual({ "ok-1": 1 });
    const devices = new Map(t.emulator.devices().registered.map((device) => [device.id, device]));
    expect([devices.get("dup-a")?.groupTag, devices.get("dup-b")?.groupTag, devices.get("ok-1")?.userPrincipalName]).toEqual(["A", "B", "Ann@contoso.com"]);
  }, 60_000);

  it("usage errors are one line and exit 2, before anything is read or sent", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "autopilot-update-usage-"));
    writeFileSync(path.join(dir, "a.csv"), "Device Serial Number\r\nX-1\r\n");
    const child = await runCli(["update", "a.csv", "--where", "group-tag="], { cwd: dir });
    expect([child.code, child.stderr, child.stdout]).toEqual([2, "autopilot-import: update: give a file or --where, not both\n", ""]);
    // The rest in this process (the same main as the binary's), which is quicker.
    const cases: Array<[string[], string]> = [
      [[], "update: give a CSV file (or - for standard input), or --where SELECTOR with a --set-* or --clear-* option"],
      [["a.csv", "--set-group-tag", "A", "--clear-group-tag"], "update: --set-group-tag and --clear-group-tag contradict each other: give one"],
      [["a.csv", "--set-user", "a@contoso.com", "--clear-user"], "update: --set-user and --clear-user contradict each other: give one"],
      [["--where", "model=X"], "update: --where selects devices but says nothing to change: add --set-group-tag, --clear-group-tag, --set-user, --clear-user or --set-display-name"],
      [["--where", "colour=red", "--clear-user"], "--where: unknown field 'colour' (fields: group-tag, manufacturer, model, purchase-order)"],
      [["a.csv", "--set-group-tag", "x".repeat(129)], "--set-group-tag: the value is 129 characters long; the maximum is 128"],
    ];
    for (const [args, message] of cases) {
      const result = await runInProcess(["update", ...args], {});
      expect([result.code, result.stderr, result.stdout], args.join(" ")).toEqual([2, `autopilot-import: ${message}\n`, ""]);
    }
    const badUser = await runInProcess(["update", "a.csv", "--set-user", "nobody"], {});
    expect(badUser.code).toBe(2);
    expect(badUser.stderr).toMatch(/^autopilot-import: --set-user: the value 'nobody' is not a valid user principal name[^\n]*\n$/);
    const envWhere = await runInProcess(["update", "a.csv"], { AUTOPILOT_IMPORT_UPDATE_WHERE: "group-tag=" });
    expect(envWhere.stderr).toBe("autopilot-import: update: give a file or --where, not both\n");
  }, 30_000);
});
