/**
 * Every entity the emulator answers over HTTPS conforms to Microsoft's metadata, under every scenario file: staged
 * records (the import answer, list, get, $select), registered devices (list, get), and on beta the same collections,
 * the uploads and windowsAutopilotSettings (property names from the beta mappings).
 */
import { readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadScenarioFile, parseScenario, type Scenario, type ScenarioInput } from "../../src/emulator/index.js";
import { REGISTERED, SETTINGS, STAGED, UPLOADS, hash, startClient, type Page, type TestClient } from "../support/emulator-client.js";
import { checkBetaInstance, checkInstance, type Required, type Violation } from "./conformance.js";
import { loadContract } from "./metadata.js";

const contract = loadContract();
const SCENARIOS = path.join(import.meta.dirname, "../../fixtures/scenarios");
const files = readdirSync(SCENARIOS).filter((name) => name.endsWith(".json")).sort();

const STAGED_TYPE = "graph.importedWindowsAutopilotDeviceIdentity";
const REGISTERED_TYPE = "graph.windowsAutopilotDeviceIdentity";
const SELECT = ["id", "serialNumber", "importId", "state"] as const;

/** The scenario's entity-shaping parts as written; faults and throttling off (they shape timing, not entities). */
function forEntities(scenario: Scenario): ScenarioInput {
  const { outcomes } = scenario;
  return {
    ...scenario,
    throttling: { ...scenario.throttling, enabled: false },
    faults: parseScenario({}).faults,
    outcomes: { ...outcomes, corruptHashSerials: [...outcomes.corruptHashSerials, "CORRUPT-802"], otherTenantSerials: [...outcomes.otherTenantSerials, "FOREIGN-808"] },
  };
}

/** Collects what is checked, and the violations with the request that answered them. */
class Audit {
  readonly violations: Violation[] = [];
  readonly counts = new Map<string, number>();
  readonly statuses = new Set<string>();

  constructor(private readonly client: TestClient) {}

  async get(url: string, expectStatus = 200): Promise<Record<string, unknown>> {
    const reply = await this.client.request<Record<string, unknown>>("GET", url);
    expect(reply.status, `GET ${url}: ${reply.text.slice(0, 300)}`).toBe(expectStatus);
    return reply.body;
  }

  /** Every page of a collection (a repeated nextLink ends it: the scenario may model that bug). */
  async pages(url: string): Promise<unknown[]> {
    const items: unknown[] = [];
    const seen = new Set<string>();
    for (let next: string | undefined = url; next !== undefined && !seen.has(next); ) {
      seen.add(next);
      const page = (await this.get(next)) as unknown as Page<unknown>;
      expect(Array.isArray(page.value), `${next}: no value array`).toBe(true);
      items.push(...page.value);
      next = page["@odata.nextLink"];
    }
    return items;
  }

  v1(what: string, type: string, values: readonly unknown[], required: Required): void {
    this.counts.set(what, (this.counts.get(what) ?? 0) + values.length);
    values.forEach((value, index) => this.violations.push(...checkInstance(contract.v1, type, value, required, `${what}[${index}]`)));
    for (const value of values) {
      const status = (value as { state?: { deviceImportStatus?: string } }).state?.deviceImportStatus;
      if (status !== undefined) this.statuses.add(status);
    }
  }

  beta(what: string, type: string, values: readonly unknown[]): void {
    this.counts.set(what, (this.counts.get(what) ?? 0) + values.length);
    values.forEach((value, index) => this.violations.push(...checkBetaInstance(contract, type, value, `${what}[${index}]`)));
  }
}

const processingSpan = (scenario: Scenario): number => {
  const { delayMs, spreadMs, pendingMs, registrationLagMs } = scenario.processing;
  return delayMs + spreadMs + pendingMs + registrationLagMs + 1;
};

it("checks the default and the pessimistic scenario files (and every other one)", () => {
  expect(files).toEqual(expect.arrayContaining(["default.json", "pessimistic.json"]));
});

describe.each(files)("entities the emulator returns under fixtures/scenarios/%s conform to the metadata", (file) => {
  it("staged records, registered devices, uploads and windowsAutopilotSettings", async () => {
    const scenario = await loadScenarioFile(path.join(SCENARIOS, file));
    const client = await startClient(forEntities(scenario));
    const audit = new Audit(client);
    client.emulator.registerDevices([
      { serialNumber: "REG-FULL", groupTag: "Lab", productKey: "ABCDE-FGHIJ-KLMNO-PQRST-UVWXY", manufacturer: "Contoso", model: "C1", userPrincipalName: "ann@contoso.com", displayName: "Kiosk 1" },
      { serialNumber: "REG-BARE" },
    ]);
    const shared = hash("shared");
    const devices = [
      { serialNumber: "PLAIN-1", hardwareIdentifier: hash("plain") },
      { serialNumber: "FULL-1", hardwareIdentifier: hash("full"), productKey: "VWXYZ-ABCDE-FGHIJ-KLMNO-PQRST", groupTag: "Sales", assignedUserPrincipalName: "bob@contoso.com", importId: "run-1" },
      { serialNumber: "CORRUPT-802", hardwareIdentifier: hash("corrupt") },
      { serialNumber: "FOREIGN-808", hardwareIdentifier: hash("foreign") },
      { serialNumber: "DUP-A", hardwareIdentifier: shared },
      { serialNumber: "DUP-B", hardwareIdentifier: shared },
      { serialNumber: "REG-BARE", hardwareIdentifier: hash("registered") },
    ];

    const answer = await client.request<Page<{ id: string; importId: string | null; productKey: string | null; hardwareIdentifier: string | null }>>("POST", `${STAGED}/import`, {
      body: { importedWindowsAutopilotDeviceIdentities: devices },
    });
    expect(answer.status, answer.text.slice(0, 300)).toBe(200);
    audit.v1("import answer", STAGED_TYPE, answer.body.value, "all");
    if (!scenario.service.importIdKept) {
      // The quirk is on, so its shape (importId = productKey = id, empty hash) is what gets checked.
      expect(answer.body.value.map((record) => [record.importId, record.productKey, record.hardwareIdentifier])).toEqual(answer.body.value.map((record) => [record.id, record.id, ""]));
    }
    const ids = answer.body.value.map((record) => record.id);

    // Freshly staged, part way through processing, and settled.
    const half = Math.round(processingSpan(scenario) / 2);
    for (const step of [0, half, processingSpan(scenario) - half]) {
      client.emulator.clock.advance(step);
      audit.v1("staged list", STAGED_TYPE, await audit.pages(STAGED), "all");
      for (const id of ids) audit.v1("staged get", STAGED_TYPE, [await audit.get(`${STAGED}/${id}`)], "all");
    }
    const selectQuery = `?$select=${SELECT.join(",")}`;
    if (scenario.service.selectFailsOn.includes("staged")) {
      await audit.get(`${STAGED}${selectQuery}`, 500);
    } else {
      audit.v1("staged list $select", STAGED_TYPE, await audit.pages(`${STAGED}${selectQuery}`), SELECT);
      audit.v1("staged get $select", STAGED_TYPE, [await audit.get(`${STAGED}/${ids[0]}${selectQuery}`)], SELECT);
    }

    // A device completed near the end shows up in windowsAutopilotDeviceIdentities only after the registration lag.
    client.emulator.clock.advance(scenario.processing.registrationLagMs + 1);
    const registered = (await audit.pages(REGISTERED)) as Array<{ id: string }>;
    audit.v1("registered list", REGISTERED_TYPE, registered, "all");
    for (const device of registered) audit.v1("registered get", REGISTERED_TYPE, [await audit.get(`${REGISTERED}/${device.id}`)], "all");

    const beta = (url: string): string => url.replace("/v1.0/", "/beta/");
    audit.beta("beta staged list", "importedWindowsAutopilotDeviceIdentity", await audit.pages(beta(STAGED)));
    audit.beta("beta registered list", "windowsAutopilotDeviceIdentity", await audit.pages(beta(REGISTERED)));
    audit.beta("beta registered get", "windowsAutopilotDeviceIdentity", [await audit.get(beta(`${REGISTERED}/${registered[0]!.id}`))]);

    audit.beta("settings", "windowsAutopilotSettings", [await audit.get(SETTINGS)]);
    expect((await client.request("POST", `${SETTINGS}/sync`)).status).toBe(204);
    audit.beta("settings", "windowsAutopilotSettings", [await audit.get(SETTINGS)]);
    const patched = await client.request("PATCH", SETTINGS, { body: { syncStatus: "failed", lastManualSyncTriggerDateTime: "2026-01-02T03:04:05Z" } });
    expect(patched.status).toBe(200);
    audit.beta("settings", "windowsAutopilotSettings", [patched.body]);

    if (scenario.tenant.uploadsEnabled) {
      const created = await client.request<{ id: string }>("POST", UPLOADS, { body: { createdDateTimeUtc: "2026-01-02T03:04:05Z", status: "noUpload" } });
      expect(created.status).toBe(201);
      audit.beta("upload", "importedWindowsAutopilotDeviceIdentityUpload", [created.body]);
      const members = `${UPLOADS}/${created.body.id}/deviceIdentities`;
      const imported = await client.request<Page<unknown>>("POST", `${members}/import`, { body: { importedWindowsAutopilotDeviceIdentities: [{ serialNumber: "UPLOAD-1", hardwareIdentifier: hash("upload"), groupTag: "Sales" }] } });
      expect(imported.status, imported.text.slice(0, 300)).toBe(200);
      audit.beta("upload import answer", "importedWindowsAutopilotDeviceIdentity", imported.body.value);
      client.emulator.clock.advance(processingSpan(scenario));
      audit.beta("upload", "importedWindowsAutopilotDeviceIdentityUpload", [await audit.get(`${UPLOADS}/${created.body.id}`), ...(await audit.pages(UPLOADS))]);
      audit.beta("upload members", "importedWindowsAutopilotDeviceIdentity", await audit.pages(members));
    }

    expect(audit.violations).toEqual([]);
    // What was checked: every route, and records in every state processing reaches here.
    expect(audit.counts.get("import answer")).toBe(devices.length);
    expect(audit.counts.get("staged get")).toBe(3 * devices.length);
    // The scenario's devices, the two registered above, and the three this import registers (PLAIN-1, FULL-1, DUP-A).
    expect(audit.counts.get("registered list")).toBe(scenario.tenant.registeredDevices.length + scenario.tenant.registeredSeed.count + 2 + 3);
    expect(audit.counts.get("settings")).toBe(3);
    expect([...audit.statuses]).toEqual(expect.arrayContaining(["complete", "error"]));
  });
});
