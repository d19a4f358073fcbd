import { describe, expect, it } from "vitest";
import { QUIET, REGISTERED, STAGED, device, hash, type GraphErrorShape, type Page, type Staged } from "../support/emulator-client.js";
import { HASH_STORAGES, clientFor } from "./hash-storage-modes.js";

type ImportReply = { value: Staged[] };

describe.each(HASH_STORAGES)("limits.hashStorage %s", (hashStorage) => {
  const startClient = clientFor(hashStorage);

  describe("importedWindowsAutopilotDeviceIdentities: import action", () => {
    it("returns one staged record per input, in order, preserving importId, all starting unknown", async () => {
      const client = await startClient();
      const inputs = ["A1", "A2", "A3"].map((serial) => device(serial, { importId: "batch-7", groupTag: "G" }));
      const reply = await client.request<ImportReply>("POST", `${STAGED}/import`, { body: { importedWindowsAutopilotDeviceIdentities: inputs } });
      expect(reply.status).toBe(200);
      expect(reply.body.value.map((record) => record.serialNumber)).toEqual(["A1", "A2", "A3"]);
      expect(new Set(reply.body.value.map((record) => record.id)).size).toBe(3);
      for (const record of reply.body.value) {
        expect(record.importId).toBe("batch-7");
        expect(record.state).toEqual({ deviceImportStatus: "unknown", deviceRegistrationId: null, deviceErrorCode: 0, deviceErrorName: null });
      }
    });

    it("processes in the background: complete, registered under state.deviceRegistrationId", async () => {
      const client = await startClient({ ...QUIET, processing: { delayMs: 5000, spreadMs: 2000 } });
      const reply = await client.request<ImportReply>("POST", `${STAGED}/import`, { body: { importedWindowsAutopilotDeviceIdentities: [device("P1")] } });
      const id = reply.body.value[0]?.id ?? "";
      client.emulator.clock.advance(4999);
      expect((await client.request<Staged>("GET", `${STAGED}/${id}`)).body.state.deviceImportStatus).toBe("unknown");
      client.emulator.clock.advance(2001);
      const done = await client.request<Staged>("GET", `${STAGED}/${id}`);
      expect(done.body.state).toMatchObject({ deviceImportStatus: "complete", deviceErrorCode: 0, deviceErrorName: null });
      const registered = await client.request<{ id: string; serialNumber: string }>("GET", `${REGISTERED}/${done.body.state.deviceRegistrationId}`);
      expect(registered.status).toBe(200);
      expect(registered.body.serialNumber).toBe("P1");
    });

    it("really runs in the background on a fast clock", async () => {
      const client = await startClient({ ...QUIET, clock: { speed: 100 }, processing: { delayMs: 3000, spreadMs: 2000 } });
      const reply = await client.request<ImportReply>("POST", `${STAGED}/import`, { body: { importedWindowsAutopilotDeviceIdentities: [device("F1"), device("F2")] } });
      await new Promise((resolve) => setTimeout(resolve, 120));
      for (const record of reply.body.value) {
        expect((await client.request<Staged>("GET", `${STAGED}/${record.id}`)).body.state.deviceImportStatus).toBe("complete");
      }
    });

    it("fails the whole request with the real Edm.Binary message when a hash is not padded base64", async () => {
      const client = await startClient();
      const unpadded = Buffer.from("x".repeat(49)).toString("base64").replace(/=+$/, "");
      const reply = await client.request<GraphErrorShape>("POST", `${STAGED}/import`, {
        body: { importedWindowsAutopilotDeviceIdentities: [device("OK1"), { serialNumber: "BAD", hardwareIdentifier: unpadded }] },
      });
      expect(reply.status).toBe(400);
      expect(reply.body.error.message).toBe(`Cannot convert the literal '${unpadded}' to the expected type 'Edm.Binary'.`);
      expect(client.emulator.stats().devices.stagedCreated).toBe(0);
    });

    it("truncates a very long literal in that message", async () => {
      const client = await startClient();
      const long = `${"A".repeat(4000)}!`;
      const reply = await client.request<GraphErrorShape>("POST", STAGED, { body: { serialNumber: "L", hardwareIdentifier: long } });
      expect(reply.status).toBe(400);
      expect(reply.body.error.message).toBe(`Cannot convert the literal '${"A".repeat(200)}...' to the expected type 'Edm.Binary'.`);
    });

    it("rejects base64url and unpadded forms, accepts standard padded base64", async () => {
      const client = await startClient();
      for (const bad of ["ab-_", "abc", "ab=c", "a b c d"]) {
        expect((await client.request("POST", STAGED, { body: { serialNumber: "X", hardwareIdentifier: bad } })).status).toBe(400);
      }
      for (const good of ["", "ab+/", "abc=", "ab=="]) {
        expect((await client.request("POST", STAGED, { body: { serialNumber: `G${good}`, hardwareIdentifier: good } })).status).toBe(201);
      }
    });

    it("rejects an import larger than the configured maximum with 400", async () => {
      const client = await startClient({ ...QUIET, limits: { maxImportSize: 3 } });
      const inputs = ["M1", "M2", "M3", "M4"].map((serial) => device(serial));
      const reply = await client.request<GraphErrorShape>("POST", `${STAGED}/import`, { body: { importedWindowsAutopilotDeviceIdentities: inputs } });
      expect(reply.status).toBe(400);
      expect(reply.body.error.message).toContain("maximum of 3");
      expect((await client.request("POST", `${STAGED}/import`, { body: { importedWindowsAutopilotDeviceIdentities: inputs.slice(0, 3) } })).status).toBe(200);
    });

    it("rejects undeclared properties, wrong types and malformed JSON like the OData reader", async () => {
      const client = await startClient();
      const unknown = await client.request<GraphErrorShape>("POST", STAGED, { body: { ...device("U1"), orderIdentifier: "x" } });
      expect(unknown.status).toBe(400);
      expect(unknown.body.error.message).toContain("The property 'orderIdentifier' does not exist on type 'microsoft.graph.importedWindowsAutopilotDeviceIdentity'");
      expect((await client.request("POST", STAGED, { body: { serialNumber: 5, hardwareIdentifier: hash() } })).status).toBe(400);
      expect((await client.request("POST", `${STAGED}/import`, { body: { importedWindowsAutopilotDeviceIdentities: "nope" } })).status).toBe(400);
      const json = await client.request<GraphErrorShape>("POST", STAGED, { rawBody: "{not json" });
      expect(json.status).toBe(400);
      expect(json.body.error.message).toContain("Unable to read JSON request payload");
    });

    it("accepts the namespace-qualified action name", async () => {
      const client = await startClient();
      const reply = await client.request<ImportReply>("POST", `${STAGED}/microsoft.graph.import`, { body: { importedWindowsAutopilotDeviceIdentities: [device("NS1")] } });
      expect(reply.status).toBe(200);
    });
  });

  describe("importedWindowsAutopilotDeviceIdentities: create, get, delete", () => {
    it("POST creates one record (201), GET reads it, DELETE removes it (204), then 404", async () => {
      const client = await startClient();
      const created = await client.request<Staged>("POST", STAGED, { body: device("C1") });
      expect(created.status).toBe(201);
      expect(created.body.state.deviceImportStatus).toBe("unknown");
      const read = await client.request<Staged & { hardwareIdentifier: string | null }>("GET", `${STAGED}/${created.body.id}`);
      expect(read.body.serialNumber).toBe("C1");
      // A digest cannot be shown back: the hash reads back empty, as in a real 2023 create response.
      expect(read.body.hardwareIdentifier).toBe(hashStorage === "full" ? device("C1")["hardwareIdentifier"] : "");
      expect((await client.request<Staged>("GET", `${STAGED}('${created.body.id}')`)).body.serialNumber).toBe("C1");
      expect((await client.request("DELETE", `${STAGED}/${created.body.id}`)).status).toBe(204);
      const gone = await client.request<GraphErrorShape>("GET", `${STAGED}/${created.body.id}`);
      expect(gone.status).toBe(404);
      expect((await client.request("DELETE", `${STAGED}/${created.body.id}`)).status).toBe(404);
      expect(client.emulator.stats().devices).toMatchObject({ staged: 0, stagedCreated: 1, stagedDeleted: 1 });
    });

    it("a record deleted before processing is never registered", async () => {
      const client = await startClient();
      const created = await client.request<Staged>("POST", STAGED, { body: device("D1") });
      await client.request("DELETE", `${STAGED}/${created.body.id}`);
      client.emulator.clock.advance(60_000);
      expect(client.emulator.stats().devices.registered).toBe(0);
    });
  });

  describe("outcomes", () => {
    async function outcomes(scenario: Parameters<typeof startClient>[0], inputs: Record<string, unknown>[]) {
      const client = await startClient(scenario);
      const reply = await client.request<ImportReply>("POST", `${STAGED}/import`, { body: { importedWindowsAutopilotDeviceIdentities: inputs } });
      expect(reply.status).toBe(200);
      client.emulator.clock.advance(60_000);
      const states = [];
      for (const record of reply.body.value) states.push((await client.request<Staged>("GET", `${STAGED}/${record.id}`)).body.state);
      return { client, states };
    }

    it("806 when the serial is already registered in the tenant", async () => {
      const { states } = await outcomes({ ...QUIET, tenant: { registeredDevices: [{ serialNumber: "R1" }] } }, [device("r1")]);
      expect(states[0]).toMatchObject({ deviceImportStatus: "error", deviceErrorCode: 806, deviceErrorName: "ZtdDeviceAlreadyAssigned" });
    });

    it("806 for the second submission of a serial once the first completed", async () => {
      const client = await startClient();
      await client.request("POST", STAGED, { body: device("TW1") });
      client.emulator.clock.advance(10_000);
      const second = await client.request<Staged>("POST", STAGED, { body: device("TW1") });
      client.emulator.clock.advance(10_000);
      expect((await client.request<Staged>("GET", `${STAGED}/${second.body.id}`)).body.state.deviceErrorCode).toBe(806);
      expect(client.emulator.stats().submissions.serialsSubmittedMoreThanOnce).toEqual(["TW1"]);
    });

    it("808 for serials the scenario lists as owned by another tenant", async () => {
      const { states } = await outcomes({ ...QUIET, outcomes: { otherTenantSerials: ["O1"] } }, [device("O1"), device("O2")]);
      expect(states[0]).toMatchObject({ deviceImportStatus: "error", deviceErrorCode: 808, deviceErrorName: "ZtdDeviceAssignedToOtherTenant" });
      expect(states[1]).toMatchObject({ deviceImportStatus: "complete", deviceErrorCode: 0 });
    });

    it("802 for corrupt hashes (by serial, by value, or empty)", async () => {
      const bad = hash("corrupt");
      const { states } = await outcomes({ ...QUIET, outcomes: { corruptHashSerials: ["H1"], corruptHashes: [bad] } }, [
        device("H1"),
        { serialNumber: "H2", hardwareIdentifier: bad },
        { serialNumber: "H3", hardwareIdentifier: "" },
        { serialNumber: "H4" },
      ]);
      for (const state of states) expect(state).toMatchObject({ deviceImportStatus: "error", deviceErrorCode: 802, deviceErrorName: "InvalidZtdHardwareHash" });
    });

    it("ZtdDeviceDuplicated for the same hash twice in one submission; the first copy is processed", async () => {
      const same = hash("same");
      const { states } = await outcomes(QUIET, [
        { serialNumber: "DU1", hardwareIdentifier: same },
        { serialNumber: "DU2", hardwareIdentifier: same },
      ]);
      expect(states[0]?.deviceImportStatus).toBe("complete");
      expect(states[1]).toMatchObject({ deviceImportStatus: "error", deviceErrorName: "ZtdDeviceDuplicated", deviceErrorCode: 0 });
    });

    it("803 without serial number and product key", async () => {
      const { states } = await outcomes(QUIET, [{ hardwareIdentifier: hash("nos") }]);
      expect(states[0]).toMatchObject({ deviceImportStatus: "error", deviceErrorCode: 803 });
    });

    it("partial and stuck serials", async () => {
      const { client, states } = await outcomes({ ...QUIET, outcomes: { partialSerials: ["PA1"], stuckSerials: ["ST1"] } }, [device("PA1"), device("ST1")]);
      expect(states[0]).toMatchObject({ deviceImportStatus: "partial", deviceErrorCode: 0, deviceRegistrationId: null });
      expect(states[1]).toMatchObject({ deviceImportStatus: "unknown" });
      expect(client.emulator.stats().devices.outcomes).toEqual({ partial: 1 });
    });

    it("passes through pending when pendingPhase is on", async () => {
      const client = await startClient({ ...QUIET, processing: { delayMs: 1000, spreadMs: 0, pendingPhase: true, pendingMs: 1000 } });
      const created = await client.request<Staged>("POST", STAGED, { body: device("PE1") });
      const status = async (): Promise<string> => (await client.request<Staged>("GET", `${STAGED}/${created.body.id}`)).body.state.deviceImportStatus;
      client.emulator.clock.advance(1000);
      expect(await status()).toBe("pending");
      client.emulator.clock.advance(1000);
      expect(await status()).toBe("complete");
    });

    it("registration lag: complete names the device before it is visible", async () => {
      const client = await startClient({ ...QUIET, processing: { delayMs: 1000, spreadMs: 0, registrationLagMs: 5000 } });
      const created = await client.request<Staged>("POST", STAGED, { body: device("LAG1") });
      client.emulator.clock.advance(1000);
      const state = (await client.request<Staged>("GET", `${STAGED}/${created.body.id}`)).body.state;
      expect(state.deviceImportStatus).toBe("complete");
      expect((await client.request("GET", `${REGISTERED}/${state.deviceRegistrationId}`)).status).toBe(404);
      // Already assigned for 806 purposes during the lag.
      const again = await client.request<Staged>("POST", STAGED, { body: device("LAG1") });
      client.emulator.clock.advance(5000);
      expect((await client.request("GET", `${REGISTERED}/${state.deviceRegistrationId}`)).status).toBe(200);
      expect((await client.request<Staged>("GET", `${STAGED}/${again.body.id}`)).body.state.deviceErrorCode).toBe(806);
    });
  });

  describe("listing staged records", () => {
    async function seeded(count: number, scenario = QUIET) {
      const client = await startClient(scenario);
      const inputs = Array.from({ length: count }, (_, index) => device(`LS${String(index).padStart(3, "0")}`, { importId: index % 2 === 0 ? "even" : "odd" }));
      await client.request("POST", `${STAGED}/import`, { body: { importedWindowsAutopilotDeviceIdentities: inputs } });
      return client;
    }

    it("pages with $top and an absolute @odata.nextLink carrying $skiptoken, until the end", async () => {
      const client = await seeded(25);
      const seen: string[] = [];
      let next: string | undefined = `${STAGED}?$top=10`;
      let pages = 0;
      while (next) {
        const page: { body: Page<Staged> } = await client.request<Page<Staged>>("GET", next);
        seen.push(...page.body.value.map((record) => record.serialNumber));
        next = page.body["@odata.nextLink"];
        if (next) expect(next).toMatch(new RegExp(`^${client.emulator.graphUrl}/v1\\.0/.*\\$skiptoken=`));
        pages += 1;
      }
      expect(pages).toBe(3);
      expect(seen).toHaveLength(25);
      expect(new Set(seen).size).toBe(25);
    });

    it("uses the scenario's default page size, and clamps $top to maxTop", async () => {
      const client = await seeded(7, { ...QUIET, paging: { stagedPageSize: 3, maxTop: 5 } });
      const first = await client.request<Page<Staged>>("GET", STAGED);
      expect(first.body.value).toHaveLength(3);
      expect(first.body["@odata.nextLink"]).toBeDefined();
      const clamped = await client.request<Page<Staged>>("GET", `${STAGED}?$top=100`);
      expect(clamped.body.value).toHaveLength(5);
    });

    it("$filter=contains(serialNumber,'…') matches substrings, case-insensitively", async () => {
      const client = await seeded(25);
      const reply = await client.request<Page<Staged>>("GET", `${STAGED}?$filter=${encodeURIComponent("contains(serialNumber,'ls01')")}`);
      expect(reply.body.value.map((record) => record.serialNumber)).toEqual(
        Array.from({ length: 10 }, (_, index) => `LS01${index}`),
      );
    });

    it("$filter=importId eq '…' (knob, default on) pages through one import", async () => {
      const client = await seeded(25);
      const reply = await client.request<Page<Staged>>("GET", `${STAGED}?$filter=${encodeURIComponent("importId eq 'odd'")}&$top=5`);
      expect(reply.body.value).toHaveLength(5);
      expect(reply.body.value.every((record) => record.importId === "odd")).toBe(true);
      const rest = await client.request<Page<Staged>>("GET", reply.body["@odata.nextLink"] ?? "");
      expect(rest.body.value).toHaveLength(5);
      expect(rest.body.value.every((record) => record.importId === "odd")).toBe(true);
      const off = await startClient({ ...QUIET, filters: { stagedImportIdEq: false } });
      expect((await off.request("GET", `${STAGED}?$filter=${encodeURIComponent("importId eq 'odd'")}`)).status).toBe(400);
    });

    it("serialNumber eq is refused by default and allowed by the knob", async () => {
      const client = await seeded(3);
      const filter = encodeURIComponent("serialNumber eq 'LS001'");
      expect((await client.request("GET", `${STAGED}?$filter=${filter}`)).status).toBe(400);
      client.emulator.setScenario({ filters: { stagedSerialEq: true } });
      const reply = await client.request<Page<Staged>>("GET", `${STAGED}?$filter=${filter}`);
      expect(reply.body.value.map((record) => record.serialNumber)).toEqual(["LS001"]);
    });

    it("answers 400 for a bad $top, a bad $skiptoken and an unsupported filter", async () => {
      const client = await seeded(1);
      expect((await client.request("GET", `${STAGED}?$top=-1`)).status).toBe(400);
      expect((await client.request("GET", `${STAGED}?$skiptoken=garbage`)).status).toBe(400);
      expect((await client.request("GET", `${STAGED}?$filter=${encodeURIComponent("startswith(serialNumber,'L')")}`)).status).toBe(400);
    });

    it("paging stays correct across deletes", async () => {
      const client = await seeded(10);
      const first = await client.request<Page<Staged>>("GET", `${STAGED}?$top=4`);
      for (const record of first.body.value) await client.request("DELETE", `${STAGED}/${record.id}`);
      const rest = await client.request<Page<Staged>>("GET", first.body["@odata.nextLink"] ?? "");
      expect(rest.body.value.map((record) => record.serialNumber)).toEqual(["LS004", "LS005", "LS006", "LS007"]);
    });
  });
});
