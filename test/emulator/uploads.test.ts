import { describe, expect, it } from "vitest";
import { QUIET, STAGED, UPLOADS, device, type GraphErrorShape, type Page, type Staged } from "../support/emulator-client.js";
import { HASH_STORAGES, clientFor } from "./hash-storage-modes.js";

interface Upload {
  readonly id: string;
  readonly createdDateTimeUtc: string;
  readonly status: string;
}

describe.each(HASH_STORAGES)("limits.hashStorage %s", (hashStorage) => {
  const startClient = clientFor(hashStorage);

  describe("importedWindowsAutopilotDeviceIdentityUploads (beta, historical)", () => {
    it("create → noUpload; add identities; import → pending → complete", async () => {
      const client = await startClient();
      const created = await client.request<Upload>("POST", UPLOADS, { body: { "@odata.type": "#microsoft.graph.importedWindowsAutopilotDeviceIdentityUpload" } });
      expect(created.status).toBe(201);
      expect(created.body.status).toBe("noUpload");
      expect(Date.parse(created.body.createdDateTimeUtc)).not.toBeNaN();
      const id = created.body.id;
      const member = await client.request<Staged>("POST", `${UPLOADS}/${id}/deviceIdentities`, { body: device("UPL1") });
      expect(member.status).toBe(201);
      expect(member.body.importId).toBe(id);
      // Added but not imported: staged, visible, and not processed.
      client.emulator.clock.advance(60_000);
      expect((await client.request<Staged>("GET", `${STAGED}/${member.body.id}`)).body.state.deviceImportStatus).toBe("unknown");

      const imported = await client.request<{ value: Staged[] }>("POST", `${UPLOADS}/${id}/deviceIdentities/import`, {
        body: { importedWindowsAutopilotDeviceIdentities: [device("UPL2")] },
      });
      expect(imported.status).toBe(200);
      expect(imported.body.value.map((record) => record.serialNumber)).toEqual(["UPL1", "UPL2"]);
      expect((await client.request<Upload>("GET", `${UPLOADS}/${id}`)).body.status).toBe("pending");
      client.emulator.clock.advance(60_000);
      expect((await client.request<Upload>("GET", `${UPLOADS}/${id}`)).body.status).toBe("complete");
      const members = await client.request<Page<Staged>>("GET", `${UPLOADS}/${id}/deviceIdentities`);
      expect(members.body.value.map((record) => record.state.deviceImportStatus)).toEqual(["complete", "complete"]);
      expect((await client.request<Staged>("GET", `${UPLOADS}/${id}/deviceIdentities/${member.body.id}`)).body.serialNumber).toBe("UPL1");
      const listed = await client.request<Page<Upload>>("GET", UPLOADS);
      expect(listed.body.value.map((upload) => upload.id)).toEqual([id]);
    });

    it("ends error when any member ends error; a second import is 409", async () => {
      const client = await startClient({ ...QUIET, outcomes: { otherTenantSerials: ["OTHER"] } });
      const created = await client.request<Upload>("POST", UPLOADS, { body: { deviceIdentities: [device("FINE"), device("OTHER")] } });
      const id = created.body.id;
      expect((await client.request("POST", `${UPLOADS}/${id}/deviceIdentities/import`, { body: {} })).status).toBe(200);
      client.emulator.clock.advance(60_000);
      expect((await client.request<Upload>("GET", `${UPLOADS}/${id}`)).body.status).toBe("error");
      expect((await client.request("POST", `${UPLOADS}/${id}/deviceIdentities/import`, { body: {} })).status).toBe(409);
      expect((await client.request("POST", `${UPLOADS}/${id}/deviceIdentities`, { body: device("LATE") })).status).toBe(409);
    });

    it("an empty upload cannot be imported; delete removes the upload and its identities", async () => {
      const client = await startClient();
      const created = await client.request<Upload>("POST", UPLOADS, { body: { deviceIdentities: [device("DEL1")] } });
      const empty = await client.request<Upload>("POST", UPLOADS, {});
      expect((await client.request("POST", `${UPLOADS}/${empty.body.id}/deviceIdentities/import`, {})).status).toBe(400);
      expect((await client.request("DELETE", `${UPLOADS}/${created.body.id}`)).status).toBe(204);
      expect((await client.request("GET", `${UPLOADS}/${created.body.id}`)).status).toBe(404);
      expect(client.emulator.stats().devices.staged).toBe(0);
    });

    it("a member deleted while its upload is pending still lets the upload finish", async () => {
      const client = await startClient();
      const created = await client.request<Upload>("POST", UPLOADS, { body: { deviceIdentities: [device("K1"), device("K2")] } });
      const imported = await client.request<{ value: Staged[] }>("POST", `${UPLOADS}/${created.body.id}/deviceIdentities/import`, {});
      await client.request("DELETE", `${STAGED}/${imported.body.value[0]?.id}`);
      client.emulator.clock.advance(60_000);
      expect((await client.request<Upload>("GET", `${UPLOADS}/${created.body.id}`)).body.status).toBe("complete");
    });

    it("is beta only, and can be switched off as today's Graph has it", async () => {
      const client = await startClient();
      const v1 = await client.request<GraphErrorShape>("POST", "/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentityUploads", { body: {} });
      expect(v1.status).toBe(400);
      expect(v1.body.error.message).toBe("Resource not found for the segment 'importedWindowsAutopilotDeviceIdentityUploads'.");
      client.emulator.setScenario({ tenant: { uploadsEnabled: false } });
      expect((await client.request("POST", UPLOADS, { body: {} })).status).toBe(400);
    });
  });
});
