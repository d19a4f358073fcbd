/** resolveGroups against the emulator: by object id or exact display name, once per group; refusals name the group. */
import { afterEach, describe, expect, it } from "vitest";
import { ServiceError, UsageError } from "../../src/errors.js";
import { resolveGroups } from "../../src/groups/resolve-groups.js";
import { startAfterHarness, type AfterHarness } from "../support/emulator-harness.js";

const LAB = "3c8d1e2f-4a5b-4c6d-8e7f-9a0b1c2d3e4f";
const signal = new AbortController().signal;

describe("resolveGroups", () => {
  let h: AfterHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  const start = async (): Promise<AfterHarness> =>
    (h = await startAfterHarness({
      directory: {
        groups: [
          { id: LAB, displayName: "Lab" },
          { displayName: "O'Brien Devices" },
          { displayName: "Twin" },
          { displayName: "Twin" },
          { displayName: "Rule", membershipRule: "(device.deviceOSType -eq \"Windows\")" },
        ],
      },
    }));

  it("finds groups by id (any case) and by exact name (quotes escaped), each group once", async () => {
    const harness = await start();
    const groups = await resolveGroups(harness.client, ["Lab", LAB.toUpperCase(), "O'Brien Devices", " Lab "], signal);
    expect(groups.map((g) => g.displayName)).toEqual(["Lab", "O'Brien Devices"]);
    expect(groups[0]!.id).toBe(LAB);
  });

  it.each([
    ["Nowhere", /--add-to-group 'Nowhere': no group has this display name/],
    ["9f9f9f9f-0000-4000-8000-000000000000", /--add-to-group '9f9f9f9f-0000-4000-8000-000000000000': no group has this object id in the tenant/],
    ["Twin", /--add-to-group 'Twin': 2 groups have this display name/],
    ["Rule", /--add-to-group 'Rule': the group has dynamic membership \(rule: \(device\.deviceOSType -eq "Windows"\)\)/],
  ])("refuses %s with a usage error (exit 2)", async (name, message) => {
    const harness = await start();
    const error = await resolveGroups(harness.client, [name], signal).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(message);
  });

  it("names the permissions when Graph answers 403 (a service error: exit 3)", async () => {
    const harness = await start();
    harness.emulator.setScenario({ auth: { grants: { groupMemberPermission: false } } });
    const error = await resolveGroups(harness.client, ["Lab"], signal).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceError);
    expect((error as Error).message).toMatch(/^--add-to-group: looking up group 'Lab' failed: Graph refused \(403 Authorization_RequestDenied: Insufficient privileges to complete the operation\.\): .*GroupMember\.ReadWrite\.All and Device\.Read\.All/);
  });
});
