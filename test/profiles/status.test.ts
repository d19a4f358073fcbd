/** The status mapping from Graph's windowsAutopilotProfileAssignmentStatus, the counts, and the optional-duration flags. */
import { describe, expect, it } from "vitest";
import { loadProfileStatusConfig } from "../../src/cli/config/profile-status.js";
import { loadImportConfig } from "../../src/cli/config/import.js";
import { PROFILE_ASSIGNMENT_STATUSES } from "../../src/emulator/scenario-devices.js";
import { SummaryCounter, formatSummary } from "../../src/pipeline/summary.js";
import { notAssignedReason } from "../../src/profiles/reasons.js";
import { countProfileStatus, emptyProfileCounts, isSettledProfileStatus, profileCountsText, profileStatusOf, profilesNotAssigned } from "../../src/profiles/status.js";
import { usageMessage } from "../support/usage-error.js";

describe("profileStatusOf", () => {
  it("folds every member of the metadata's enum (its own spelling of assignedUnkownSyncState included)", () => {
    const mapped = Object.fromEntries(PROFILE_ASSIGNMENT_STATUSES.map((member) => [member, profileStatusOf(member)]));
    expect(mapped).toEqual({
      unknown: "pending",
      assignedInSync: "assigned",
      assignedOutOfSync: "assigned",
      assignedUnkownSyncState: "assigned",
      notAssigned: "notAssigned",
      pending: "pending",
      failed: "failed",
    });
  });

  it("treats a member added later, or none at all (v1.0 does not show it), as still on its way", () => {
    expect(profileStatusOf("unknownFutureValue")).toBe("pending");
    expect(profileStatusOf(undefined)).toBe("pending");
  });

  it("settles on assigned, failed and not_found only", () => {
    expect((["assigned", "pending", "notAssigned", "failed", "not_found"] as const).filter(isSettledProfileStatus)).toEqual(["assigned", "failed", "not_found"]);
  });
});

describe("profile counts", () => {
  it("counts, words and sums what is not assigned", () => {
    const counts = emptyProfileCounts();
    for (const status of ["assigned", "assigned", "pending", "notAssigned", "failed", "not_found", ""] as const) countProfileStatus(counts, status);
    expect(counts).toEqual({ assigned: 2, pending: 1, notAssigned: 1, failed: 1, notFound: 1 });
    expect(profileCountsText(counts)).toBe("2 assigned, 1 pending, 1 not assigned, 1 failed, 1 not found");
    expect(profileCountsText(emptyProfileCounts())).toBe("0 assigned");
    expect(profilesNotAssigned(counts)).toBe(4);
    expect(profilesNotAssigned(null)).toBe(0);
  });
});

describe("notAssignedReason", () => {
  const tags = new Map([["sales", new Set(["Sales laptops"])]]);
  it("says what Graph shows: no profile at all, one for all devices, other devices of the tag assigned, or none for the tag", () => {
    expect(notAssignedReason("Sales", { count: 0, allDevices: [] }, tags)).toMatch(/^no deployment profile exists in this tenant/);
    expect(notAssignedReason("Kiosk", { count: 2, allDevices: ["Default"] }, tags)).toMatch(/^profile 'Default' targets all devices: Intune has not assigned it yet/);
    expect(notAssignedReason("SALES", { count: 1, allDevices: [] }, tags)).toMatch(/^other devices tagged 'SALES' have profile 'Sales laptops': dynamic group rules may still be catching up/);
    expect(notAssignedReason("Kiosk", { count: 1, allDevices: [] }, tags)).toBe(
      `no profile seems to target group tag 'Kiosk' (none of the devices seen with it has one): assign a profile to a dynamic group with the rule (device.devicePhysicalIds -any (_ -eq "[OrderID]:Kiosk"))`,
    );
    expect(notAssignedReason("", { count: null, allDevices: [], error: "Forbidden" }, tags)).toMatch(/^it has no group tag and no profile targets all devices \(the profiles could not be read: Forbidden\)/);
  });
});

describe("--wait and --wait-profile take an optional duration", () => {
  const cwd = "/tmp";
  it("bare: 30 minutes; with a value after it or after =; the next argument stays a file when it is not a duration", () => {
    expect(loadProfileStatusConfig(["list.csv"], {}, cwd).waitMs).toBe(0);
    expect(loadProfileStatusConfig(["--wait", "list.csv"], {}, cwd)).toMatchObject({ waitMs: 1_800_000, files: ["list.csv"] });
    expect(loadProfileStatusConfig(["list.csv", "--wait", "45m"], {}, cwd).waitMs).toBe(2_700_000);
    expect(loadProfileStatusConfig(["list.csv", "--wait=90s"], {}, cwd).waitMs).toBe(90_000);
    expect(loadImportConfig(["devices.csv", "--wait-profile"], {}, cwd).after.waitProfileMs).toBe(1_800_000);
    expect(loadImportConfig(["--wait-profile", "1h", "devices.csv"], {}, cwd)).toMatchObject({ files: ["devices.csv"], after: { waitProfileMs: 3_600_000 } });
    expect(loadImportConfig(["devices.csv"], {}, cwd).after.waitProfileMs).toBeUndefined();
  });

  it("from the environment: a duration, or true / false", () => {
    expect(loadImportConfig(["d.csv"], { AUTOPILOT_IMPORT_WAIT_PROFILE: "true" }, cwd).after.waitProfileMs).toBe(1_800_000);
    expect(loadImportConfig(["d.csv"], { AUTOPILOT_IMPORT_WAIT_PROFILE: "off" }, cwd).after.waitProfileMs).toBeUndefined();
    expect(loadProfileStatusConfig(["l.csv"], { AUTOPILOT_IMPORT_PROFILE_STATUS_WAIT: "10m" }, cwd).waitMs).toBe(600_000);
  });

  it("refuses a value that is neither, naming where it came from", () => {
    expect(usageMessage(() => loadImportConfig(["d.csv", "--wait-profile=soon"], {}, cwd))).toMatch(/^--wait-profile: expected a duration/);
    expect(usageMessage(() => loadImportConfig(["d.csv", "--wait-profile", "--no-verify"], {}, cwd))).toBe("--wait-profile follows the devices the registration check confirms: drop --no-verify");
    expect(usageMessage(() => loadProfileStatusConfig(["l.csv"], { AUTOPILOT_IMPORT_PROFILE_STATUS_WAIT: "maybe" }, cwd))).toMatch(/^AUTOPILOT_IMPORT_PROFILE_STATUS_WAIT: expected a duration/);
  });
});

describe("the import summary's profile counts", () => {
  it("counts the followed rows (resumed ones too), says them in a line, and stays null when none was followed", () => {
    const counter = new SummaryCounter();
    for (let i = 0; i < 3; i++) {
      counter.countRow("valid");
      counter.countOutcome("imported");
    }
    expect(counter.toSummary(0, 0).profiles).toBeNull();
    counter.countFinished({ status: "imported", registered: "yes", profileStatus: "assigned" }, "imported");
    counter.countFinished({ status: "imported", registered: "yes", profileStatus: "notAssigned" }, "imported");
    counter.countFinal({ status: "imported", registered: "yes", profileStatus: "pending" });
    const summary = counter.toSummary(0, 0, { status: "triggered", message: "Autopilot sync triggered." });
    expect(summary.profiles).toEqual({ assigned: 1, pending: 1, notAssigned: 1, failed: 0, notFound: 0 });
    expect(formatSummary(summary)).toContain("\ndeployment profiles: 1 assigned, 1 pending, 1 not assigned\n");
    expect(profilesNotAssigned(summary.profiles)).toBe(2);
  });
});
