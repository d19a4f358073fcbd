import { describe, expect, it } from "vitest";
import { QUIET, REGISTERED, SETTINGS, STAGED, device, startClient, type GraphErrorShape, type Page, type Staged, type TestClient } from "../support/emulator-client.js";

/** The `service` knobs that change how reads and writes of the Autopilot collections are answered. */

interface BatchReply {
  readonly responses: { id: string; status: number; headers: Record<string, string>; body?: unknown }[];
}

async function withDevices(scenario: Parameters<typeof startClient>[0], serials: readonly string[]): Promise<{ client: TestClient; stagedId: string; registeredId: string }> {
  const client = await startClient(scenario);
  const imported = await client.request<{ value: Staged[] }>("POST", `${STAGED}/import`, {
    body: { importedWindowsAutopilotDeviceIdentities: serials.map((serial) => device(serial)) },
  });
  const registered = client.emulator.registerDevices(serials.map((serial) => ({ serialNumber: `R-${serial}` })));
  return { client, stagedId: imported.body.value[0]?.id ?? "", registeredId: registered[0]?.id ?? "" };
}

describe("service.selectFailsOn", () => {
  it("[] (default): $select works on both collections", async () => {
    const { client, stagedId, registeredId } = await withDevices(QUIET, ["SEL1"]);
    expect((await client.request("GET", `${STAGED}?$select=serialNumber`)).status).toBe(200);
    expect((await client.request("GET", `${STAGED}/${stagedId}?$select=serialNumber`)).status).toBe(200);
    expect((await client.request("GET", `${REGISTERED}?$select=serialNumber`)).status).toBe(200);
    expect((await client.request("GET", `${REGISTERED}/${registeredId}?$select=serialNumber`)).status).toBe(200);
  });

  it("['staged']: list and get with $select answer Intune's 500 without Retry-After; without $select 200; registered unaffected", async () => {
    const { client, stagedId, registeredId } = await withDevices({ ...QUIET, service: { selectFailsOn: ["staged"] } }, ["SEL2"]);
    for (const path of [`${STAGED}?$select=serialNumber`, `${STAGED}/${stagedId}?$select=id,state`]) {
      const failed = await client.request<GraphErrorShape>("GET", path);
      expect(failed.status).toBe(500);
      expect(failed.body.error.code).toBe("InternalServerError");
      expect((JSON.parse(failed.body.error.message) as { Message: string }).Message).toMatch(/^An internal server error has occurred/);
      expect(failed.body.error.innerError["request-id"]).toBe(failed.headers["request-id"]);
      expect(failed.headers["retry-after"]).toBeUndefined();
    }
    expect((await client.request("GET", STAGED)).status).toBe(200);
    expect((await client.request("GET", `${STAGED}/${stagedId}`)).status).toBe(200);
    expect((await client.request("GET", `${REGISTERED}?$select=serialNumber`)).status).toBe(200);
    expect((await client.request("GET", `${REGISTERED}/${registeredId}?$select=serialNumber`)).status).toBe(200);
  });

  it("['registered']: list and get with $select answer 500; without $select 200; staged unaffected", async () => {
    const { client, stagedId, registeredId } = await withDevices({ ...QUIET, service: { selectFailsOn: ["registered"] } }, ["SEL3"]);
    expect((await client.request("GET", `${REGISTERED}?$select=serialNumber`)).status).toBe(500);
    expect((await client.request("GET", `${REGISTERED}/${registeredId}?$select=serialNumber`)).status).toBe(500);
    expect((await client.request("GET", REGISTERED)).status).toBe(200);
    expect((await client.request("GET", `${REGISTERED}/${registeredId}`)).status).toBe(200);
    expect((await client.request("GET", `${STAGED}?$select=serialNumber`)).status).toBe(200);
    expect((await client.request("GET", `${STAGED}/${stagedId}?$select=serialNumber`)).status).toBe(200);
  });

  it("applies to the same requests inside $batch (the batch itself answers 200)", async () => {
    const { client, stagedId } = await withDevices({ ...QUIET, service: { selectFailsOn: ["staged", "registered"] } }, ["SEL4"]);
    const reply = await client.request<BatchReply>("POST", "/v1.0/$batch", {
      body: {
        requests: [
          { id: "1", method: "GET", url: "/deviceManagement/importedWindowsAutopilotDeviceIdentities?$select=serialNumber" },
          { id: "2", method: "GET", url: `/deviceManagement/importedWindowsAutopilotDeviceIdentities/${stagedId}?$select=state` },
          { id: "3", method: "GET", url: "/deviceManagement/windowsAutopilotDeviceIdentities?$select=serialNumber" },
          { id: "4", method: "GET", url: "/deviceManagement/importedWindowsAutopilotDeviceIdentities" },
          { id: "5", method: "GET", url: "/deviceManagement/windowsAutopilotDeviceIdentities" },
        ],
      },
    });
    expect(reply.status).toBe(200);
    expect(reply.body.responses.map((response) => [response.id, response.status])).toEqual([["1", 500], ["2", 500], ["3", 500], ["4", 200], ["5", 200]]);
    expect((reply.body.responses[0]?.body as GraphErrorShape).error.code).toBe("InternalServerError");
    expect(reply.body.responses[0]?.headers["Retry-After"]).toBeUndefined();
  });
});

describe("service.hyphenContains400", () => {
  const contains = (value: string): string => `?$filter=contains(serialNumber,'${value}')`;

  it("false (default): contains with a hyphen works on both collections", async () => {
    const { client } = await withDevices(QUIET, ["HY-001", "HY002"]);
    expect((await client.request<Page<Staged>>("GET", `${STAGED}${contains("HY-0")}`)).body.value.map((record) => record.serialNumber)).toEqual(["HY-001"]);
    expect((await client.request<Page<Staged>>("GET", `${REGISTERED}${contains("R-HY-0")}`)).body.value.map((record) => record.serialNumber)).toEqual(["R-HY-001"]);
  });

  it("true: contains with a hyphen answers 400 on both collections; a hyphen-free contains still works", async () => {
    const { client } = await withDevices({ ...QUIET, service: { hyphenContains400: true } }, ["HY-001", "HY002"]);
    for (const collection of [STAGED, REGISTERED]) {
      const refused = await client.request<GraphErrorShape>("GET", `${collection}${contains("HY-0")}`);
      expect(refused.status).toBe(400);
      expect(refused.body.error.code).toBe("BadRequest");
      expect((JSON.parse(refused.body.error.message) as { Message: string }).Message).toContain("contains(serialNumber");
    }
    expect((await client.request<Page<Staged>>("GET", `${STAGED}${contains("HY002")}`)).body.value.map((record) => record.serialNumber)).toEqual(["HY002"]);
    expect((await client.request<Page<Staged>>("GET", `${REGISTERED}${contains("hy002")}`)).body.value.map((record) => record.serialNumber)).toEqual(["R-HY002"]);
  });
});

describe("service.acceptUnknownProperties", () => {
  const extra = { colour: "blue", "Device Serial Number": "copied-from-csv" };

  it("false (default): an undeclared property in any request body is the OData reader's 400", async () => {
    const client = await startClient();
    const bodies: [string, string, unknown][] = [
      ["POST", STAGED, device("UP1", extra)],
      ["POST", `${STAGED}/import`, { importedWindowsAutopilotDeviceIdentities: [device("UP2", extra)] }],
      ["POST", `${STAGED}/import`, { importedWindowsAutopilotDeviceIdentities: [device("UP3")], ...extra }],
      ["POST", REGISTERED, { serialNumber: "UP4", ...extra }],
      ["PATCH", SETTINGS, { syncStatus: "completed", ...extra }],
    ];
    for (const [method, path, body] of bodies) {
      const refused = await client.request<GraphErrorShape>(method, path, { body });
      expect(refused.status).toBe(400);
      expect(refused.body.error.message).toMatch(/^The property '(colour|Device Serial Number)' does not exist on type/);
    }
    expect(client.emulator.stats().devices.stagedCreated).toBe(0);
  });

  it("true: undeclared properties are accepted and ignored; declared ones are still type-checked", async () => {
    const client = await startClient({ ...QUIET, service: { acceptUnknownProperties: true } });
    const created = await client.request<Record<string, unknown>>("POST", STAGED, { body: device("UP1", extra) });
    expect(created.status).toBe(201);
    expect(created.body).not.toHaveProperty("colour");
    const imported = await client.request<{ value: Staged[] }>("POST", `${STAGED}/import`, {
      body: { importedWindowsAutopilotDeviceIdentities: [device("UP2", extra)], ...extra },
    });
    expect(imported.status).toBe(200);
    const registered = await client.request<Record<string, unknown>>("POST", REGISTERED, { body: { serialNumber: "UP4", ...extra } });
    expect(registered.status).toBe(201);
    expect(registered.body).not.toHaveProperty("colour");
    expect((await client.request("PATCH", SETTINGS, { body: { syncStatus: "completed", ...extra } })).status).toBe(200);
    expect((await client.request("POST", `${REGISTERED}/${String(registered.body["id"])}/updateDeviceProperties`, { body: { groupTag: "T", ...extra } })).status).toBe(204);
    expect((await client.request("POST", STAGED, { body: { serialNumber: 5, ...extra } })).status).toBe(400);
    client.emulator.clock.advance(1000);
    expect((await client.request<Staged>("GET", `${STAGED}/${imported.body.value[0]?.id}`)).body.state.deviceImportStatus).toBe("complete");
  });
});

describe("service.repeatNextLinkAfterPages", () => {
  async function follow(client: TestClient, first: string, maxPages: number): Promise<{ links: string[]; serials: string[][] }> {
    const links: string[] = [];
    const serials: string[][] = [];
    let next: string | undefined = first;
    while (next !== undefined && links.length < maxPages) {
      const page: { body: Page<{ serialNumber: string }> } = await client.request<Page<{ serialNumber: string }>>("GET", next);
      serials.push(page.body.value.map((item) => item.serialNumber));
      next = page.body["@odata.nextLink"];
      links.push(next ?? "(end)");
    }
    return { links, serials };
  }

  it("0 (default): paging ends on both collections", async () => {
    const { client } = await withDevices(QUIET, ["PG1", "PG2", "PG3", "PG4", "PG5"]);
    for (const collection of [STAGED, REGISTERED]) {
      const { links, serials } = await follow(client, `${collection}?$top=2`, 10);
      expect(serials.flat()).toHaveLength(5);
      expect(links.at(-1)).toBe("(end)");
      expect(links).toHaveLength(3);
    }
  });

  it("2: from the third page on, the nextLink is the link just followed (the same page) forever, on both collections", async () => {
    const serials = ["PG1", "PG2", "PG3", "PG4", "PG5", "PG6", "PG7", "PG8"];
    const { client } = await withDevices({ ...QUIET, service: { repeatNextLinkAfterPages: 2 } }, serials);
    for (const collection of [STAGED, REGISTERED]) {
      const followed = await follow(client, `${collection}?$top=2`, 8);
      expect(followed.links).toHaveLength(8);
      const [first, second, ...repeats] = followed.links;
      expect(new Set([first, second, repeats[0]]).size).toBe(2);
      expect(second).toBe(repeats[0]);
      expect(new Set(repeats)).toEqual(new Set([second]));
      // Each repeat serves the third page again.
      expect(new Set(followed.serials.slice(2).map((page) => page.join()))).toHaveProperty("size", 1);
      expect(followed.serials[2]).toHaveLength(2);
    }
  });
});
