import { describe, expect, it } from "vitest";
import { QUIET, REGISTERED, startClient, type GraphErrorShape, type Page } from "../support/emulator-client.js";

interface Device {
  readonly id: string;
  readonly serialNumber: string;
  readonly groupTag: string;
  readonly userPrincipalName: string;
  readonly displayName: string;
  readonly "@odata.type": string;
}

const SEED_003_BODY = {
  "@odata.type": "#microsoft.graph.windowsAutopilotDeviceIdentity",
  deploymentProfileAssignmentStatus: "assignedInSync",
  groupTag: "Group Tag value",
  purchaseOrderIdentifier: "Purchase Order Identifier value",
  serialNumber: "Serial Number value",
  productKey: "Product Key value",
  manufacturer: "Manufacturer value",
  model: "Model value",
  enrollmentState: "enrolled",
  userPrincipalName: "User Principal Name value",
  displayName: "Display Name value",
};

describe("windowsAutopilotDeviceIdentities", () => {
  it("create (seed 003 body) answers 201 with the entity; get, list and delete follow", async () => {
    const client = await startClient();
    const created = await client.request<Device>("POST", REGISTERED, { body: SEED_003_BODY });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ serialNumber: "Serial Number value", groupTag: "Group Tag value", model: "Model value" });
    expect(created.body["@odata.type"]).toBe("#microsoft.graph.windowsAutopilotDeviceIdentity");
    expect((await client.request<Device>("GET", `/beta/deviceManagement/windowsAutopilotDeviceIdentities/${created.body.id}`)).body.id).toBe(created.body.id);
    const listed = await client.request<Page<Device>>("GET", REGISTERED);
    expect(listed.body.value.map((device) => device.id)).toEqual([created.body.id]);
    expect((await client.request("DELETE", `${REGISTERED}/${created.body.id}`)).status).toBe(204);
    // Deletion completes asynchronously: the record lingers for processing.deletionLingerMs (default 60 s).
    expect((await client.request("GET", `${REGISTERED}/${created.body.id}`)).status).toBe(200);
    client.emulator.clock.advance(60_000);
    expect((await client.request("GET", `${REGISTERED}/${created.body.id}`)).status).toBe(404);
    expect(client.emulator.stats().devices).toMatchObject({ registered: 0, registeredCreated: 1, registeredDeleted: 1, registeredDeleteRequests: 1 });
  });

  it("refuses a second device with the same serial (409) and undeclared properties (400)", async () => {
    const client = await startClient({ ...QUIET, tenant: { registeredDevices: [{ serialNumber: "DUP" }] } });
    expect((await client.request("POST", REGISTERED, { body: { serialNumber: "dup" } })).status).toBe(409);
    expect((await client.request("POST", REGISTERED, { body: { serialNumber: "N1", color: "red" } })).status).toBe(400);
  });

  it("updateDeviceProperties changes group tag, user and names (204)", async () => {
    const client = await startClient({ ...QUIET, processing: { delayMs: 1000, spreadMs: 0, updateLagMs: 10_000 } });
    const [device] = client.emulator.registerDevices([{ serialNumber: "UP1", groupTag: "old" }]);
    const reply = await client.request("POST", `${REGISTERED}/${device?.id}/updateDeviceProperties`, {
      body: { groupTag: "new", userPrincipalName: "user@contoso.com", displayName: "Kiosk 1", addressableUserName: "Kiosk" },
    });
    expect(reply.status).toBe(204);
    // Applied after processing.updateLagMs (10 s here; 0 by default).
    expect((await client.request<Device>("GET", `${REGISTERED}/${device?.id}`)).body.groupTag).toBe("old");
    client.emulator.clock.advance(10_000);
    const updated = await client.request<Device>("GET", `${REGISTERED}/${device?.id}`);
    expect(updated.body).toMatchObject({ groupTag: "new", userPrincipalName: "user@contoso.com", displayName: "Kiosk 1" });
    expect((await client.request("POST", `${REGISTERED}/${device?.id}/updateDeviceProperties`, { body: { serialNumber: "x" } })).status).toBe(400);
    expect((await client.request("POST", `${REGISTERED}/missing/updateDeviceProperties`, { body: { groupTag: "x" } })).status).toBe(404);
  });

  it("lists with paging and contains(serialNumber,…); serialNumber eq answers 400 like the real service", async () => {
    const client = await startClient({ ...QUIET, paging: { registeredPageSize: 4 } });
    client.emulator.registerDevices(Array.from({ length: 10 }, (_, index) => ({ serialNumber: `SN-${index}` })));
    const first = await client.request<Page<Device>>("GET", REGISTERED);
    expect(first.body.value).toHaveLength(4);
    const second = await client.request<Page<Device>>("GET", first.body["@odata.nextLink"] ?? "");
    const third = await client.request<Page<Device>>("GET", second.body["@odata.nextLink"] ?? "");
    expect(third.body.value).toHaveLength(2);
    expect(third.body["@odata.nextLink"]).toBeUndefined();

    const contains = await client.request<Page<Device>>("GET", `${REGISTERED}?$filter=${encodeURIComponent("contains(serialNumber,'SN-7')")}`);
    expect(contains.body.value.map((device) => device.serialNumber)).toEqual(["SN-7"]);

    const eq = await client.request<GraphErrorShape>("GET", `${REGISTERED}?$filter=${encodeURIComponent("serialNumber eq 'SN-7'")}`);
    expect(eq.status).toBe(400);
    expect(eq.body.error.code).toBe("BadRequest");
    client.emulator.setScenario({ filters: { registeredSerialEq: true } });
    const allowed = await client.request<Page<Device>>("GET", `${REGISTERED}?$filter=${encodeURIComponent("serialNumber eq 'SN-7'")}`);
    expect(allowed.body.value).toHaveLength(1);
  });

  it("answers unknown segments with Graph's 400 and unsupported methods with 405", async () => {
    const client = await startClient();
    const unknown = await client.request<GraphErrorShape>("GET", "/v1.0/deviceManagement/windowsAutopilotDevices");
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toBe("Resource not found for the segment 'windowsAutopilotDevices'.");
    expect((await client.request("PATCH", REGISTERED, { body: {} })).status).toBe(405);
    expect((await client.request("GET", "/v2.0/anything")).status).toBe(404);
  });
});
