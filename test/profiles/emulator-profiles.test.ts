/**
 * The emulator's deployment profiles (beta) and a registered device's assignment timeline on its clock: the profiles
 * and their assignment targets, the live status on the device listing and GET, `$expand=deploymentProfile`, v1.0's
 * refusal of what it does not declare, and seeded devices that keep their given status.
 */
import { describe, expect, it } from "vitest";
import { startClient, type TestClient } from "../support/emulator-client.js";

const PROFILES = "/beta/deviceManagement/windowsAutopilotDeploymentProfiles";
const DEVICES = "deviceManagement/windowsAutopilotDeviceIdentities";
const MINUTE = 60_000;

interface Device {
  readonly id: string;
  readonly deploymentProfileAssignmentStatus?: string;
  readonly deploymentProfileAssignmentDetailedStatus?: string;
  readonly deploymentProfileAssignedDateTime?: string;
  readonly deploymentProfile?: { readonly id: string; readonly displayName: string; readonly language?: string } | null;
}

async function create(client: TestClient, serialNumber: string, groupTag = ""): Promise<string> {
  const reply = await client.request<Device>("POST", `/v1.0/${DEVICES}`, { body: { serialNumber, groupTag } });
  expect(reply.status).toBe(201);
  return reply.body.id;
}

const SCENARIO = {
  throttling: { enabled: false },
  profiles: {
    deploymentProfiles: [{ displayName: "Sales laptops", groupTags: ["Sales"] }, { id: "all-1", displayName: "Everyone" }],
    pendingAfterMs: 2 * MINUTE,
    assignedAfterMs: 10 * MINUTE,
    spreadMs: 0,
    failedSerials: ["FAILS"],
    neverAssignedSerials: ["NEVER"],
  },
};

describe("emulator: deployment profiles", () => {
  it("lists the scenario's profiles with their assignments: a dynamic group for a tag, or all devices", async () => {
    const client = await startClient(SCENARIO);
    const list = await client.request<{ value: Array<Record<string, unknown>> }>("GET", `${PROFILES}?$expand=assignments`);
    expect(list.status).toBe(200);
    const [sales, everyone] = list.body.value;
    expect(sales).toMatchObject({ "@odata.type": "#microsoft.graph.azureADWindowsAutopilotDeploymentProfile", displayName: "Sales laptops", id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(sales!["assignments"]).toEqual([expect.objectContaining({ target: { "@odata.type": "#microsoft.graph.groupAssignmentTarget", groupId: expect.stringMatching(/^[0-9a-f-]{36}$/) } })]);
    expect(everyone).toMatchObject({ id: "all-1", assignments: [expect.objectContaining({ target: { "@odata.type": "#microsoft.graph.allDevicesAssignmentTarget" } })] });
    expect((await client.request<{ value: unknown[] }>("GET", PROFILES)).body.value[0]).not.toHaveProperty("assignments");
    expect((await client.request("GET", `${PROFILES}/all-1/assignments`)).status).toBe(200);
    expect((await client.request("GET", `${PROFILES}/nope`)).status).toBe(404);
    // Beta only, as in Graph's metadata.
    expect((await client.request("GET", "/v1.0/deviceManagement/windowsAutopilotDeploymentProfiles")).status).toBe(400);
  });

  it("a registered device goes notAssigned → pending → assigned on the clock; a tag's own profile wins over all devices", async () => {
    const client = await startClient(SCENARIO);
    const id = await create(client, "TL-1", "Sales");
    const read = async (): Promise<Device> => (await client.request<Device>("GET", `/beta/${DEVICES}/${id}?$expand=deploymentProfile`)).body;
    expect(await read()).toMatchObject({ deploymentProfileAssignmentStatus: "notAssigned", deploymentProfileAssignedDateTime: "0001-01-01T00:00:00Z", deploymentProfile: null });
    client.emulator.clock.advance(2 * MINUTE);
    expect(await read()).toMatchObject({ deploymentProfileAssignmentStatus: "pending", deploymentProfile: null });
    client.emulator.clock.advance(10 * MINUTE);
    const assigned = await read();
    expect(assigned).toMatchObject({ deploymentProfileAssignmentStatus: "assignedUnkownSyncState", deploymentProfileAssignmentDetailedStatus: "none", deploymentProfile: { displayName: "Sales laptops" } });
    expect(Date.parse(assigned.deploymentProfileAssignedDateTime!)).toBeGreaterThan(0);
    // The listing shows the same, live; a $select inside $expand trims the profile.
    const listed = await client.request<{ value: Device[] }>("GET", `/beta/${DEVICES}?$expand=deploymentProfile($select=id,displayName)`);
    expect(listed.body.value.find((d) => d.id === id)?.deploymentProfile).toEqual({ "@odata.type": "#microsoft.graph.azureADWindowsAutopilotDeploymentProfile", id: expect.any(String), displayName: "Sales laptops" });
    // v1.0 declares neither the status nor the navigation.
    expect((await client.request<Device>("GET", `/v1.0/${DEVICES}/${id}`)).body).not.toHaveProperty("deploymentProfileAssignmentStatus");
    expect((await client.request("GET", `/v1.0/${DEVICES}/${id}?$expand=deploymentProfile`)).status).toBe(400);
  });

  it("failed and never-assigned serials, a tag no profile catches, and seeded devices that keep their status", async () => {
    const client = await startClient({ ...SCENARIO, profiles: { ...SCENARIO.profiles, deploymentProfiles: [{ displayName: "Sales laptops", groupTags: ["Sales"] }] } });
    const fails = await create(client, "FAILS", "Sales");
    const never = await create(client, "NEVER", "Sales");
    const kiosk = await create(client, "KIOSK", "Kiosk");
    const [seeded] = client.emulator.registerDevices([{ serialNumber: "SEEDED", deploymentProfileAssignmentStatus: "assignedInSync" }]);
    client.emulator.clock.advance(20 * MINUTE);
    const status = async (id: string): Promise<Device> => (await client.request<Device>("GET", `/beta/${DEVICES}/${id}`)).body;
    expect(await status(fails)).toMatchObject({ deploymentProfileAssignmentStatus: "failed", deploymentProfileAssignmentDetailedStatus: "hardwareRequirementsNotMet" });
    expect((await status(never)).deploymentProfileAssignmentStatus).toBe("notAssigned");
    expect((await status(kiosk)).deploymentProfileAssignmentStatus).toBe("notAssigned");
    expect((await status(seeded!.id)).deploymentProfileAssignmentStatus).toBe("assignedInSync");
  });
});
