/**
 * The device list as a whole: seeded registered devices with their properties, Intune managed devices linked to some
 * of them, the deletion order the service enforces, asynchronous deletion, updateDeviceProperties' lag, and the
 * write throttling every one of these writes counts against.
 */
import { describe, expect, it } from "vitest";
import { parseScenario, type ScenarioInput } from "../../src/emulator/index.js";
import { PESSIMISTIC } from "../support/profiles.js";
import { QUIET, REGISTERED, startClient, type GraphErrorShape, type Page } from "../support/emulator-client.js";

const MANAGED = "/v1.0/deviceManagement/managedDevices";
const BETA_REGISTERED = "/beta/deviceManagement/windowsAutopilotDeviceIdentities";

interface Device {
  readonly id: string;
  readonly serialNumber: string;
  readonly groupTag: string;
  readonly manufacturer: string;
  readonly model: string;
  readonly purchaseOrderIdentifier: string;
  readonly enrollmentState: string;
  readonly lastContactedDateTime: string;
  readonly managedDeviceId: string;
  readonly azureActiveDirectoryDeviceId: string;
  readonly userPrincipalName: string;
  readonly displayName: string;
  readonly deploymentProfileAssignmentStatus?: string;
}

const SEEDED: ScenarioInput = { ...QUIET, tenant: { registeredSeed: { count: 400 } } };

async function all<T>(client: Awaited<ReturnType<typeof startClient>>, url: string): Promise<T[]> {
  const items: T[] = [];
  for (let next: string | undefined = url; next !== undefined; ) {
    const page: { body: Page<T> } = await client.request<Page<T>>("GET", next);
    items.push(...page.body.value);
    next = page.body["@odata.nextLink"];
  }
  return items;
}

describe("a seeded tenant (tenant.registeredSeed)", () => {
  it("holds the same mix of devices on every start, the enrolled ones linked to their Intune record", async () => {
    const first = await startClient(SEEDED);
    const second = await startClient(SEEDED);
    const devices = await all<Device>(first, REGISTERED);
    const again = await all<Device>(second, REGISTERED);
    expect(devices).toHaveLength(400);
    const shape = (device: Device): unknown[] => [device.serialNumber, device.groupTag, device.manufacturer, device.model, device.purchaseOrderIdentifier, device.enrollmentState, device.userPrincipalName];
    expect(again.map(shape)).toEqual(devices.map(shape));
    expect(devices[0]?.serialNumber).toBe("SEED-000001");

    const enrolled = devices.filter((device) => device.enrollmentState === "enrolled");
    const untagged = devices.filter((device) => device.groupTag === "");
    // Default ratios 0.5 enrolled and 0.25 untagged, drawn from the seed.
    expect(enrolled.length).toBeGreaterThan(150);
    expect(enrolled.length).toBeLessThan(250);
    expect(untagged.length).toBeGreaterThan(60);
    expect(untagged.length).toBeLessThan(140);
    expect(new Set(devices.map((device) => device.manufacturer)).size).toBeGreaterThan(2);
    expect(new Set(devices.map((device) => device.purchaseOrderIdentifier))).toEqual(new Set(["PO-1001", "PO-1002", ""]));
    for (const device of devices.filter((item) => item.enrollmentState !== "enrolled")) {
      expect(device.managedDeviceId).toBe("00000000-0000-0000-0000-000000000000");
      expect(device.lastContactedDateTime).toBe("0001-01-01T00:00:00Z");
    }

    const managed = await all<{ id: string; serialNumber: string; azureADDeviceId: string }>(first, MANAGED);
    expect(managed).toHaveLength(enrolled.length);
    const byId = new Map(managed.map((record) => [record.id, record]));
    for (const device of enrolled) {
      expect(byId.get(device.managedDeviceId)).toMatchObject({ serialNumber: device.serialNumber, azureADDeviceId: device.azureActiveDirectoryDeviceId });
      expect(Date.parse(device.lastContactedDateTime)).toBeGreaterThan(Date.parse("2000-01-01"));
    }
    expect(first.emulator.stats().devices).toMatchObject({ registered: 400, managed: enrolled.length, managedCreated: enrolled.length });
  });

  it("shows the profile assignment status on beta only; a listed device keeps its values through a reset", async () => {
    const client = await startClient({ ...QUIET, tenant: { registeredDevices: [{ serialNumber: "ONE", deploymentProfileAssignmentStatus: "assignedInSync", purchaseOrderIdentifier: "PO-9", managed: true }] } });
    const [v1] = await all<Device>(client, REGISTERED);
    const [beta] = await all<Device>(client, BETA_REGISTERED);
    expect(v1).not.toHaveProperty("deploymentProfileAssignmentStatus");
    expect(beta).toMatchObject({ deploymentProfileAssignmentStatus: "assignedInSync", purchaseOrderIdentifier: "PO-9", enrollmentState: "enrolled" });
    client.emulator.reset();
    expect((await all<Device>(client, REGISTERED)).map((device) => device.serialNumber)).toEqual(["ONE"]);
    expect(client.emulator.stats().devices.managed).toBe(1);
  });

  it("refuses an invalid seed with one line naming the field", () => {
    expect(() => parseScenario({ tenant: { registeredSeed: { enrolledRatio: 2 } } })).toThrow(/tenant\.registeredSeed\.enrolledRatio/);
  });
});

describe("deletion: the order the service enforces, and records that linger", () => {
  it("refuses to delete the Autopilot record of an enrolled device until its Intune record is gone", async () => {
    const client = await startClient({ ...QUIET, tenant: { registeredDevices: [{ serialNumber: "ENR-1", managed: true }] } });
    const [device] = await all<Device>(client, REGISTERED);
    const refused = await client.request<GraphErrorShape>("DELETE", `${REGISTERED}/${device?.id}`);
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe("BadRequest");
    expect(JSON.parse(refused.body.error.message).CustomApiErrorPhrase).toMatch(/ENR-1' is enrolled in Intune: delete its managed device .*first/);
    expect((await client.request("GET", `${MANAGED}/${device?.managedDeviceId}`)).status).toBe(200);
    expect((await client.request("DELETE", `${MANAGED}/${device?.managedDeviceId}`)).status).toBe(204);
    expect((await client.request("GET", `${MANAGED}/${device?.managedDeviceId}`)).status).toBe(404);
    expect((await client.request("DELETE", `${MANAGED}/${device?.managedDeviceId}`)).status).toBe(404);
    // The Autopilot record keeps its (now stale) managedDeviceId, and may now go.
    expect((await client.request<Device>("GET", `${REGISTERED}/${device?.id}`)).body.managedDeviceId).toBe(device?.managedDeviceId);
    expect((await client.request("DELETE", `${REGISTERED}/${device?.id}`)).status).toBe(204);
    expect(client.emulator.stats().devices).toMatchObject({ managed: 0, managedDeleted: 1, registeredDeleteRequests: 1 });
  });

  it("keeps a deleted record listed for processing.deletionLingerMs; a repeated DELETE is accepted without a second deletion", async () => {
    const client = await startClient({ ...QUIET, processing: { delayMs: 1000, spreadMs: 0, deletionLingerMs: 300_000 } });
    const [gone, kept] = client.emulator.registerDevices([{ serialNumber: "DEL-1" }, { serialNumber: "KEEP-1" }]);
    expect((await client.request("DELETE", `${REGISTERED}/${gone?.id}`)).status).toBe(204);
    client.emulator.clock.advance(299_000);
    expect((await all<Device>(client, REGISTERED)).map((device) => device.serialNumber)).toEqual(["DEL-1", "KEEP-1"]);
    expect((await client.request("DELETE", `${REGISTERED}/${gone?.id}`)).status).toBe(204);
    expect(client.emulator.stats().devices).toMatchObject({ registeredDeleting: 1, registeredDeleteRequests: 2, registeredDeleted: 0 });
    client.emulator.clock.advance(1_000);
    expect((await all<Device>(client, REGISTERED)).map((device) => device.serialNumber)).toEqual(["KEEP-1"]);
    expect((await client.request("DELETE", `${REGISTERED}/${gone?.id}`)).status).toBe(404);
    expect(client.emulator.stats().devices).toMatchObject({ registered: 1, registeredDeleting: 0, registeredDeleted: 1 });
    expect(kept?.serialNumber).toBe("KEEP-1");
  });

  it("managed devices need DeviceManagementManagedDevices.ReadWrite.All (an app without it gets Intune's 403)", async () => {
    const client = await startClient({ ...QUIET, auth: { grants: { managedDevicesPermission: false } }, tenant: { registeredDevices: [{ serialNumber: "ENR-2", managed: true }] } });
    const refused = await client.request<GraphErrorShape>("GET", MANAGED);
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body.error.message).Message).toMatch(/DeviceManagementManagedDevices\.ReadWrite\.All/);
    // The Autopilot records stay readable under the Autopilot permission.
    expect((await client.request("GET", REGISTERED)).status).toBe(200);
  });
});

describe("updateDeviceProperties and write throttling", () => {
  it("applies after processing.updateLagMs, in the order accepted", async () => {
    const client = await startClient({ ...QUIET, processing: { delayMs: 1000, spreadMs: 0, updateLagMs: 60_000 } });
    const [device] = client.emulator.registerDevices([{ serialNumber: "UPD-1", groupTag: "Old", displayName: "PC-1" }]);
    const url = `${REGISTERED}/${device?.id}/updateDeviceProperties`;
    expect((await client.request("POST", url, { body: { groupTag: "First" } })).status).toBe(204);
    client.emulator.clock.advance(30_000);
    expect((await client.request("POST", url, { body: { groupTag: "", displayName: "PC-2" } })).status).toBe(204);
    expect((await client.request<Device>("GET", `${REGISTERED}/${device?.id}`)).body.groupTag).toBe("Old");
    client.emulator.clock.advance(30_000);
    expect((await client.request<Device>("GET", `${REGISTERED}/${device?.id}`)).body).toMatchObject({ groupTag: "First", displayName: "PC-1" });
    client.emulator.clock.advance(30_000);
    expect((await client.request<Device>("GET", `${REGISTERED}/${device?.id}`)).body).toMatchObject({ groupTag: "", displayName: "PC-2" });
    expect(client.emulator.stats().devices).toMatchObject({ updatesAccepted: 2, updatesApplied: 2 });
  });

  it("refuses a group tag over 128 characters (400, nothing accepted) and counts accepted updates per device", async () => {
    const client = await startClient(QUIET);
    const [device] = client.emulator.registerDevices([{ serialNumber: "UPD-2", groupTag: "Old" }]);
    const url = `${REGISTERED}/${device?.id}/updateDeviceProperties`;
    const refused = await client.request<GraphErrorShape>("POST", url, { body: { groupTag: "x".repeat(129) } });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toMatch(/group tag is 129 characters long; at most 128/);
    expect((await client.request("POST", url, { body: { groupTag: "x".repeat(128) } })).status).toBe(204);
    expect((await client.request("POST", url, { body: { groupTag: "y" } })).status).toBe(204);
    expect(client.emulator.stats().devices).toMatchObject({ updatesAccepted: 2, updatesAcceptedById: { [device!.id]: 2 } });
  });

  it.each([
    ["clears", ""],
    ["ignored", "ann@contoso.com"],
  ] as const)("an empty userPrincipalName in updateDeviceProperties (emptyUserInUpdate %s); unassignUserFromDevice always removes the user", async (emptyUserInUpdate, after) => {
    const client = await startClient({ ...QUIET, service: { emptyUserInUpdate } });
    const [device] = client.emulator.registerDevices([{ serialNumber: "UPD-3", userPrincipalName: "ann@contoso.com", addressableUserName: "Ann" }]);
    const url = `${REGISTERED}/${device?.id}`;
    expect((await client.request("POST", `${url}/updateDeviceProperties`, { body: { userPrincipalName: "", groupTag: "T" } })).status).toBe(204);
    expect((await client.request<Device>("GET", url)).body).toMatchObject({ userPrincipalName: after, groupTag: "T" });
    expect((await client.request("POST", `${url}/unassignUserFromDevice`)).status).toBe(204);
    expect((await client.request<Device>("GET", url)).body).toMatchObject({ userPrincipalName: "", addressableUserName: "" });
    expect(client.emulator.stats().devices.userUnassigns).toBe(1);
  });

  it("counts DELETEs (Autopilot and Intune) and updateDeviceProperties against the same write bucket", async () => {
    const client = await startClient({
      ...QUIET,
      throttling: { enabled: true, writesPerWindow: 3, requestsPerWindow: 1000 },
      tenant: { registeredDevices: [{ serialNumber: "W-1" }, { serialNumber: "W-2", managed: true }, { serialNumber: "W-3" }] },
    });
    const [one, two, three] = client.emulator.devices().registered;
    expect((await client.request("POST", `${REGISTERED}/${one?.id}/updateDeviceProperties`, { body: { groupTag: "T" } })).status).toBe(204);
    expect((await client.request("DELETE", `${MANAGED}/${String(two?.["managedDeviceId"])}`)).status).toBe(204);
    expect((await client.request("DELETE", `${REGISTERED}/${two?.id}`)).status).toBe(204);
    const throttled = await client.request<GraphErrorShape>("DELETE", `${REGISTERED}/${three?.id}`);
    expect(throttled.status).toBe(429);
    expect(throttled.body.error.message).toMatch(/writes limit/);
    expect(client.emulator.stats().devices.registeredDeleteRequests).toBe(1);
  });

  it("the pessimistic profile makes deletions linger and updates lag 15 minutes", () => {
    expect(parseScenario(PESSIMISTIC).processing).toMatchObject({ deletionLingerMs: 900_000, updateLagMs: 900_000 });
  });
});
