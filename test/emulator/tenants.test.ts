/**
 * Two tenants in one emulator: each signs in at its own token endpoint with its own app, Graph serves the tenant of
 * the token, each keeps its own devices and counters, one clock drives both, and a serial registered in one tenant
 * ends `error` 808 when imported into the other until its record is really gone (after the deletion linger).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emulatorGraphConfig, startEmulator, type EmulatorHandle, type TenantHandle } from "../../src/emulator/index.js";
import { parseScenario } from "../../src/emulator/scenario.js";
import { createGraphClient } from "../../src/graph/create.js";
import type { GraphClient } from "../../src/graph/client.js";
import type { ImportedDeviceIdentity } from "../../src/graph/resources.js";

const B_ID = "bbbbbbbb-0000-4000-8000-00000000000b";
const STAGED = "/deviceManagement/importedWindowsAutopilotDeviceIdentities";

describe("emulator: two tenants", () => {
  let emulator: EmulatorHandle;
  let a: TenantHandle;
  let b: TenantHandle;
  let clientA: GraphClient;
  let clientB: GraphClient;
  const clientOf = (tenant: TenantHandle): GraphClient =>
    createGraphClient({ ...emulatorGraphConfig(emulator), tenantId: tenant.tenantId, clientId: tenant.clientId, clientSecret: tenant.clientSecret });

  beforeAll(async () => {
    emulator = await startEmulator({
      scenario: { throttling: { enabled: false }, processing: { delayMs: 0, spreadMs: 0, deletionLingerMs: 60_000 }, tenants: [{ tenantId: B_ID, registeredDevices: [{ serialNumber: "B-SEED" }] }] },
    });
    [a, b] = [emulator.tenants[0]!, emulator.tenant(B_ID)];
    [clientA, clientB] = [clientOf(a), clientOf(b)];
  });
  afterAll(async () => {
    clientA?.close();
    clientB?.close();
    await emulator?.close();
  });

  async function importInto(client: GraphClient, serial: string): Promise<ImportedDeviceIdentity> {
    const { body: answer } = await client.request<{ value: ImportedDeviceIdentity[] }>({
      method: "POST",
      path: `${STAGED}/import`,
      body: { importedWindowsAutopilotDeviceIdentities: [{ serialNumber: serial, hardwareIdentifier: Buffer.from(`hash-${serial}`).toString("base64") }] },
    });
    const id = answer.value[0]!.id;
    emulator.clock.advance(1);
    return (await client.request<ImportedDeviceIdentity>({ method: "GET", path: `${STAGED}/${id}` })).body;
  }

  it("gives each tenant its own app, data and counters, and routes Graph by the token's tenant", async () => {
    expect(emulator.tenants.map((t) => t.tenantId)).toEqual([emulator.tenantId, B_ID]);
    expect(b.clientId).not.toBe(a.clientId);
    expect(b.clientSecret).not.toBe(a.clientSecret);
    expect(b.devices().registered.map((d) => d.serialNumber)).toEqual(["B-SEED"]);
    expect(a.devices().registered).toEqual([]);
    expect((await importInto(clientB, "B-NEW")).state.deviceImportStatus).toBe("complete");
    expect(b.devices().registered.map((d) => d.serialNumber)).toContain("B-NEW");
    expect(a.devices().registered).toEqual([]);
    expect(b.stats().auth.tokensIssued).toBeGreaterThan(0);
    expect(a.stats().devices.stagedCreated).toBe(0);
    // A's app is unknown to B's token endpoint: no token of B for A's secret.
    const wrong = createGraphClient({ ...emulatorGraphConfig(emulator), tenantId: B_ID, clientId: a.clientId, clientSecret: a.clientSecret, retry: { maxAttempts: 1 } });
    await expect(wrong.request({ method: "GET", path: STAGED })).rejects.toThrow(/AADSTS700016|not found in the directory/);
    wrong.close();
  });

  it("answers 808 for a serial registered in the other tenant until its deletion there has lingered out", async () => {
    const [moving] = b.registerDevices([{ serialNumber: "MOVE-1" }]);
    const first = await importInto(clientA, "MOVE-1");
    expect(first.state).toMatchObject({ deviceImportStatus: "error", deviceErrorCode: 808, deviceErrorName: "ZtdDeviceAssignedToOtherTenant" });
    await clientB.request({ method: "DELETE", path: `/deviceManagement/windowsAutopilotDeviceIdentities/${moving!.id}` });
    // Deleted but still lingering in B: still the other tenant's.
    expect((await importInto(clientA, "MOVE-1")).state.deviceErrorCode).toBe(808);
    emulator.clock.advance(60_001);
    expect(b.devices().registered.map((d) => d.serialNumber)).not.toContain("MOVE-1");
    expect((await importInto(clientA, "MOVE-1")).state).toMatchObject({ deviceImportStatus: "complete" });
    expect(a.devices().registered.map((d) => d.serialNumber)).toEqual(["MOVE-1"]);
  });

  it("serves each tenant's introspection under /_emulator/tenants/{id}", async () => {
    const { request } = await import("node:https");
    const read = (path: string): Promise<{ status: number; body: unknown }> =>
      new Promise((resolve, reject) => {
        request(`${emulator.graphUrl}${path}`, { ca: emulator.caCertificate }, (response) => {
          let text = "";
          response.on("data", (chunk: Buffer) => (text += chunk.toString()));
          response.on("end", () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) }));
        })
          .on("error", reject)
          .end();
      });
    const tenants = await read("/_emulator/tenants");
    expect(tenants.body).toEqual([{ tenantId: a.tenantId, clientId: a.clientId }, { tenantId: B_ID, clientId: b.clientId }]);
    expect(JSON.stringify(tenants.body)).not.toContain(b.clientSecret);
    const statsB = await read(`/_emulator/tenants/${B_ID}/stats`);
    expect((statsB.body as { devices: { registered: number } }).devices.registered).toBe(b.stats().devices.registered);
    expect((await read("/_emulator/tenants/cccccccc-0000-4000-8000-00000000000c/stats")).status).toBe(404);
  });

  it("refuses two tenants with one tenantId", () => {
    expect(() => parseScenario({ tenant: { tenantId: B_ID }, tenants: [{ tenantId: B_ID.toUpperCase() }] })).toThrow(/two tenants share a tenantId/);
  });
});
