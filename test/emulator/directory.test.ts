/**
 * The emulator's Entra ID: a device object per registered Autopilot device (found by its device id, gone with the
 * record), groups by id and display name, members listed in pages and added by $ref or members@odata.bind (20 at most,
 * all or nothing), with Entra's errors, in $batch too.
 */
import { describe, expect, it } from "vitest";
import type { DirectorySnapshot } from "../../src/emulator/index.js";
import { QUIET, REGISTERED, rawRequest, startClient, type GraphErrorShape, type Page, type TestClient } from "../support/emulator-client.js";

const STATIC = "11111111-2222-4333-8444-555555555555";
const DYNAMIC = "66666666-7777-4888-9999-000000000000";
const RULE = '(device.devicePhysicalIds -any (_ -eq "[OrderID]:Sales"))';

interface EntraDevice {
  readonly id: string;
  readonly deviceId: string;
  readonly displayName: string;
  readonly physicalIds: string[];
  readonly accountEnabled: boolean;
}

async function tenant(count: number, extra: { deviceLagMs?: number; members?: string[] } = {}): Promise<{ client: TestClient; serials: string[] }> {
  const serials = Array.from({ length: count }, (_, i) => `DIR-${String(i).padStart(3, "0")}`);
  const client = await startClient({
    ...QUIET,
    tenant: { registeredDevices: serials.map((serialNumber, i) => ({ serialNumber, groupTag: i === 0 ? "Sales" : "" })) },
    directory: {
      deviceLagMs: extra.deviceLagMs ?? 0,
      membersPageSize: 10,
      groups: [
        { id: STATIC, displayName: "Autopilot Devices", memberSerials: extra.members ?? [] },
        { id: DYNAMIC, displayName: "Sales Devices", membershipRule: RULE },
      ],
    },
  });
  return { client, serials };
}

/** The Entra object of each registered device, in the tenant's order. */
async function entraObjects(client: TestClient): Promise<EntraDevice[]> {
  const records = (await client.request<Page<{ azureActiveDirectoryDeviceId: string }>>("GET", REGISTERED)).body.value;
  const out: EntraDevice[] = [];
  for (const record of records) {
    const filter = encodeURIComponent(`deviceId eq '${record.azureActiveDirectoryDeviceId}'`);
    out.push(...(await client.request<Page<EntraDevice>>("GET", `/v1.0/devices?$filter=${filter}`)).body.value);
  }
  return out;
}

const ref = (client: TestClient, id: string): string => `${client.emulator.graphUrl}/v1.0/directoryObjects/${id}`;

describe("the emulator's Entra devices and groups", () => {
  it("a registered device has an Entra object: found by deviceId eq, with its ZTDID and tag as physical ids; gone with its record", async () => {
    const { client } = await tenant(2);
    const records = (await client.request<Page<{ id: string; azureActiveDirectoryDeviceId: string }>>("GET", REGISTERED)).body.value;
    const [first] = await entraObjects(client);
    expect(first).toMatchObject({ deviceId: records[0]!.azureActiveDirectoryDeviceId, displayName: "DIR-000", accountEnabled: true });
    expect(first!.id).not.toBe(first!.deviceId);
    expect(first!.physicalIds).toEqual([`[ZTDID]:${records[0]!.id}`, "[OrderID]:Sales"]);
    expect((await client.request<EntraDevice>("GET", `/v1.0/devices/${first!.id}`)).body.deviceId).toBe(first!.deviceId);
    expect((await client.request("PATCH", `/v1.0/groups/${STATIC}`, { body: { "members@odata.bind": [ref(client, first!.id)] } })).status).toBe(204);

    // Deleting the Autopilot record deletes its Entra object, and with it the membership.
    expect((await client.request("DELETE", `${REGISTERED}/${records[0]!.id}`)).status).toBe(204);
    client.emulator.clock.advance(60_000);
    const missing = await client.request<GraphErrorShape>("GET", `/v1.0/devices/${first!.id}`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe("Request_ResourceNotFound");
    expect((await client.request<Page<EntraDevice>>("GET", `/v1.0/devices?$filter=${encodeURIComponent(`deviceId eq '${first!.deviceId}'`)}`)).body.value).toEqual([]);
    expect((await client.request<Page<EntraDevice>>("GET", `/v1.0/groups/${STATIC}/members`)).body.value).toEqual([]);
  });

  it("an Entra object shows only directory.deviceLagMs after the registration", async () => {
    const { client } = await tenant(1, { deviceLagMs: 30_000 });
    const [record] = (await client.request<Page<{ azureActiveDirectoryDeviceId: string }>>("GET", REGISTERED)).body.value;
    const path = `/v1.0/devices?$filter=${encodeURIComponent(`deviceId eq '${record!.azureActiveDirectoryDeviceId}'`)}`;
    expect((await client.request<Page<EntraDevice>>("GET", path)).body.value).toHaveLength(0);
    client.emulator.clock.advance(30_000);
    expect((await client.request<Page<EntraDevice>>("GET", path)).body.value).toHaveLength(1);
  });

  it("groups by id and by display name (case-insensitive), static and dynamic; an unknown one is 404 Request_ResourceNotFound", async () => {
    const { client } = await tenant(0);
    const byName = await client.request<Page<{ id: string; groupTypes: string[]; membershipRule: string | null }>>("GET", `/v1.0/groups?$filter=${encodeURIComponent("displayName eq 'autopilot devices'")}`);
    expect(byName.body.value).toEqual([expect.objectContaining({ id: STATIC, groupTypes: [], membershipRule: null })]);
    const dynamic = await client.request<{ groupTypes: string[]; membershipRule: string }>("GET", `/v1.0/groups/${DYNAMIC}`);
    expect(dynamic.body).toMatchObject({ groupTypes: ["DynamicMembership"], membershipRule: RULE });
    const unknown = await client.request<GraphErrorShape>("GET", "/v1.0/groups/00000000-0000-4000-8000-000000000000");
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ code: "Request_ResourceNotFound", message: "Resource '00000000-0000-4000-8000-000000000000' does not exist or one of its queried reference-property objects are not present." });
  });

  it("members@odata.bind takes 20 at most, all or nothing: one existing reference refuses the whole request", async () => {
    const { client, serials } = await tenant(22, { members: ["DIR-005"] });
    const objects = await entraObjects(client);
    const tooMany = await client.request<GraphErrorShape>("PATCH", `/v1.0/groups/${STATIC}`, { body: { "members@odata.bind": objects.slice(0, 21).map((o) => ref(client, o.id)) } });
    expect(tooMany.status).toBe(400);
    const withExisting = await client.request<GraphErrorShape>("PATCH", `/v1.0/groups/${STATIC}`, { body: { "members@odata.bind": objects.slice(0, 20).map((o) => ref(client, o.id)) } });
    expect(withExisting.status).toBe(400);
    expect(withExisting.body.error).toMatchObject({ code: "Request_BadRequest", message: "One or more added object references already exist for the following modified properties: 'members'." });
    expect(client.emulator.directory().groups[0]!.memberSerials).toEqual(["DIR-005"]);
    const fresh = objects.filter((_, i) => i !== 5).slice(0, 20);
    expect((await client.request("PATCH", `/v1.0/groups/${STATIC}`, { body: { "members@odata.bind": fresh.map((o) => ref(client, o.id)) } })).status).toBe(204);
    expect(client.emulator.directory().memberWrites).toEqual([20]);
    // Paged by membersPageSize (10): 21 members in three pages.
    const seen: string[] = [];
    let next: string | undefined = `/v1.0/groups/${STATIC}/members`;
    while (next) {
      const page: Page<EntraDevice> = (await client.request<Page<EntraDevice>>("GET", next)).body;
      seen.push(...page.value.map((member) => member.displayName));
      next = page["@odata.nextLink"];
    }
    expect(seen.sort()).toEqual(serials.filter((s) => s !== "DIR-021").sort());
  });

  it("POST members/$ref: 204, then 400 for the same reference; a dynamic group refuses; an unknown object is 404; in $batch too", async () => {
    const { client } = await tenant(3);
    const [a, b, c] = await entraObjects(client);
    const post = (group: string, id: string) => client.request<GraphErrorShape>("POST", `/v1.0/groups/${group}/members/$ref`, { body: { "@odata.id": ref(client, id) } });
    expect((await post(STATIC, a!.id)).status).toBe(204);
    expect((await post(STATIC, a!.id)).body.error.code).toBe("Request_BadRequest");
    const dynamic = await post(DYNAMIC, b!.id);
    expect(dynamic.status).toBe(400);
    expect(dynamic.body.error.message).toContain("dynamic membership");
    expect((await post(STATIC, "12345678-1234-4234-8234-123456789012")).status).toBe(404);
    const batch = await client.request<{ responses: Array<{ id: string; status: number; body?: GraphErrorShape }> }>("POST", "/v1.0/$batch", {
      body: {
        requests: [
          { id: "1", method: "POST", url: `/groups/${STATIC}/members/$ref`, headers: { "content-type": "application/json" }, body: { "@odata.id": ref(client, b!.id) } },
          { id: "2", method: "POST", url: `/groups/${STATIC}/members/$ref`, headers: { "content-type": "application/json" }, body: { "@odata.id": ref(client, a!.id) } },
          { id: "3", method: "GET", url: `/devices?$filter=deviceId eq '${c!.deviceId}'` },
        ],
      },
    });
    const byId = new Map(batch.body.responses.map((r) => [r.id, r]));
    expect([byId.get("1")?.status, byId.get("2")?.status, byId.get("3")?.status]).toEqual([204, 400, 200]);
    expect(client.emulator.directory().groups[0]!.memberSerials).toEqual(["DIR-000", "DIR-001"]);
    // The same snapshot over HTTP, for tests that run the emulator in another process.
    const snapshot = await rawRequest<DirectorySnapshot>(client.agent, "GET", `${client.emulator.graphUrl}/_emulator/directory`, {});
    expect(snapshot.body).toEqual(client.emulator.directory());
  });

  it("without the grant: 403 Authorization_RequestDenied, direct and in $batch", async () => {
    const { client } = await tenant(1);
    client.emulator.setScenario({ auth: { grants: { groupMemberPermission: false } } });
    const direct = await client.request<GraphErrorShape>("GET", `/v1.0/groups/${STATIC}`);
    expect(direct.status).toBe(403);
    expect(direct.body.error).toMatchObject({ code: "Authorization_RequestDenied", message: "Insufficient privileges to complete the operation." });
    const batch = await client.request<{ responses: Array<{ status: number }> }>("POST", "/v1.0/$batch", { body: { requests: [{ id: "1", method: "GET", url: "/devices" }] } });
    expect(batch.body.responses[0]!.status).toBe(403);
  });
});
