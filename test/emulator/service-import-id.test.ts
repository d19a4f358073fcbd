import { describe, expect, it } from "vitest";
import { QUIET, REGISTERED, STAGED, UPLOADS, device, hash, startClient, type Page, type Staged } from "../support/emulator-client.js";

/** `service.importIdKept`: whether a staged record reads back with the importId (and product key, hash) sent. */

interface StagedWire extends Staged {
  readonly productKey: string | null;
  readonly hardwareIdentifier: string | null;
}

interface Registered {
  readonly id: string;
  readonly serialNumber: string;
  readonly productKey: string;
}

const NOT_KEPT = { ...QUIET, service: { importIdKept: false }, outcomes: { otherTenantSerials: ["KEPT-OTHER"] } };

function expectOwnIdShown(record: StagedWire): void {
  expect(record.importId).toBe(record.id);
  expect(record.productKey).toBe(record.id);
  expect(record.hardwareIdentifier).toBe("");
}

describe("service.importIdKept", () => {
  it("true (default): every representation shows the importId, product key and hash sent", async () => {
    const client = await startClient();
    const sent = device("KEPT-1", { importId: "run-1", productKey: "PK-KEPT-1" });
    const imported = await client.request<{ value: StagedWire[] }>("POST", `${STAGED}/import`, { body: { importedWindowsAutopilotDeviceIdentities: [sent] } });
    const record = imported.body.value[0] as StagedWire;
    expect(record).toMatchObject({ importId: "run-1", productKey: "PK-KEPT-1", hardwareIdentifier: sent["hardwareIdentifier"] });
    expect((await client.request<StagedWire>("GET", `${STAGED}/${record.id}`)).body.importId).toBe("run-1");
    const filtered = await client.request<Page<StagedWire>>("GET", `${STAGED}?$filter=importId eq 'run-1'`);
    expect(filtered.body.value.map((item) => item.id)).toEqual([record.id]);
  });

  it("false: import answer, POST answer, list, get and devices() show importId = productKey = id and an empty hash", async () => {
    const client = await startClient(NOT_KEPT);
    const imported = await client.request<{ value: StagedWire[] }>("POST", `${STAGED}/import`, {
      body: { importedWindowsAutopilotDeviceIdentities: [device("KEPT-2", { importId: "run-2", productKey: "PK-KEPT-2" })] },
    });
    expect(imported.status).toBe(200);
    const fromImport = imported.body.value[0] as StagedWire;
    expectOwnIdShown(fromImport);
    expect(fromImport.serialNumber).toBe("KEPT-2");

    const created = await client.request<StagedWire>("POST", STAGED, { body: device("KEPT-3", { importId: "run-2" }) });
    expect(created.status).toBe(201);
    expectOwnIdShown(created.body);

    const listed = await client.request<Page<StagedWire>>("GET", STAGED);
    expect(listed.body.value).toHaveLength(2);
    listed.body.value.forEach(expectOwnIdShown);
    expectOwnIdShown((await client.request<StagedWire>("GET", `${STAGED}/${fromImport.id}`)).body);
    const selected = await client.request<Partial<StagedWire>>("GET", `${STAGED}/${fromImport.id}?$select=importId,productKey`);
    expect(selected.body).toMatchObject({ importId: fromImport.id, productKey: fromImport.id });
    client.emulator.devices().staged.forEach((record) => expectOwnIdShown(record as StagedWire));
  });

  it("false: a filter by the sent importId answers 200 with an empty value; by the record's id it finds the record", async () => {
    const client = await startClient(NOT_KEPT);
    const created = await client.request<StagedWire>("POST", STAGED, { body: device("KEPT-4", { importId: "run-4" }) });
    const bySent = await client.request<Page<StagedWire>>("GET", `${STAGED}?$filter=importId eq 'run-4'`);
    expect(bySent.status).toBe(200);
    expect(bySent.body.value).toEqual([]);
    const byOwn = await client.request<Page<StagedWire>>("GET", `${STAGED}?$filter=importId eq '${created.body.id}'`);
    expect(byOwn.body.value.map((record) => record.id)).toEqual([created.body.id]);
  });

  it("false: processing still uses the real hash, serial and product key (complete, duplicated, 808; registered with the real key)", async () => {
    const client = await startClient(NOT_KEPT);
    const sharedHash = hash("KEPT-shared");
    const inputs = [
      { serialNumber: "KEPT-5", productKey: "PK-KEPT-5", hardwareIdentifier: sharedHash, importId: "run-5" },
      { serialNumber: "KEPT-6", hardwareIdentifier: sharedHash, importId: "run-5" },
      device("KEPT-OTHER", { importId: "run-5" }),
    ];
    const imported = await client.request<{ value: StagedWire[] }>("POST", `${STAGED}/import`, { body: { importedWindowsAutopilotDeviceIdentities: inputs } });
    const ids = imported.body.value.map((record) => record.id);
    client.emulator.clock.advance(1000);
    const states = await Promise.all(ids.map(async (id) => (await client.request<StagedWire>("GET", `${STAGED}/${id}`)).body.state));
    expect(states.map((state) => [state.deviceImportStatus, state.deviceErrorName])).toEqual([
      ["complete", null],
      ["error", "ZtdDeviceDuplicated"],
      ["error", "ZtdDeviceAssignedToOtherTenant"],
    ]);
    const registered = await client.request<Registered>("GET", `${REGISTERED}/${states[0]?.deviceRegistrationId}`);
    expect(registered.body).toMatchObject({ serialNumber: "KEPT-5", productKey: "PK-KEPT-5" });
  });

  it("false: upload members (add answer, import answer, member list and get) show their own id as importId", async () => {
    const client = await startClient(NOT_KEPT);
    const upload = await client.request<{ id: string }>("POST", UPLOADS, { body: { deviceIdentities: [device("KEPT-U1")] } });
    const added = await client.request<StagedWire>("POST", `${UPLOADS}/${upload.body.id}/deviceIdentities`, { body: device("KEPT-U2") });
    expectOwnIdShown(added.body);
    const imported = await client.request<{ value: StagedWire[] }>("POST", `${UPLOADS}/${upload.body.id}/deviceIdentities/import`);
    expect(imported.body.value).toHaveLength(2);
    imported.body.value.forEach(expectOwnIdShown);
    const members = await client.request<Page<StagedWire>>("GET", `${UPLOADS}/${upload.body.id}/deviceIdentities`);
    members.body.value.forEach(expectOwnIdShown);
    expectOwnIdShown((await client.request<StagedWire>("GET", `${UPLOADS}/${upload.body.id}/deviceIdentities/${added.body.id}`)).body);
    client.emulator.clock.advance(1000);
    expect((await client.request<{ status: string }>("GET", `${UPLOADS}/${upload.body.id}`)).body.status).toBe("complete");
  });
});
