import { describe, expect, it } from "vitest";
import { checkActionBody, checkBetaInstance, checkInstance } from "./conformance.js";
import { primitiveProblem } from "./edm-values.js";
import { loadContract } from "./metadata.js";
import { checkRequestBody, contractFor } from "./wire-contract.js";

const contract = loadContract();
const { v1 } = contract;
const STAGED = "graph.importedWindowsAutopilotDeviceIdentity";

const staged = (overrides: Record<string, unknown> = {}, state: Record<string, unknown> = {}): Record<string, unknown> => ({
  "@odata.type": "#microsoft.graph.importedWindowsAutopilotDeviceIdentity",
  id: "b7a3",
  serialNumber: "S1",
  productKey: null,
  hardwareIdentifier: "AAECAw==",
  groupTag: "Sales",
  assignedUserPrincipalName: null,
  importId: "run-1",
  state: { deviceImportStatus: "error", deviceRegistrationId: null, deviceErrorCode: 806, deviceErrorName: "ZtdDeviceAlreadyAssigned", ...state },
  ...overrides,
});
const messages = (value: unknown, required?: "all" | readonly string[]) => checkInstance(v1, STAGED, value, required).map((v) => `${v.path}: ${v.message}`);

describe("primitiveProblem", () => {
  it.each([
    ["Edm.String", "", undefined],
    ["Edm.String", 5, "5 is not a JSON string"],
    ["Edm.Boolean", "true", '"true" is not true or false'],
    ["Edm.Int32", 806, undefined],
    ["Edm.Int32", -2_147_483_648, undefined],
    ["Edm.Int32", 2_147_483_648, "2147483648 is outside Edm.Int32's range -2147483648..2147483647"],
    ["Edm.Int32", 8.5, "8.5 is not an integral JSON number"],
    ["Edm.Int32", "806", '"806" is not an integral JSON number'],
    ["Edm.Binary", "", undefined],
    ["Edm.Binary", "AAECAw==", undefined],
    ["Edm.Binary", "AAECAwQ=", undefined],
    ["Edm.Binary", "AAECAw", '"AAECAw" is not padded standard base64'],
    ["Edm.Binary", "AA-_", '"AA-_" is not padded standard base64'],
    ["Edm.Binary", "AAEC AwQ=", '"AAEC AwQ=" is not padded standard base64'],
    ["Edm.DateTimeOffset", "0001-01-01T00:00:00Z", undefined],
    ["Edm.DateTimeOffset", "2026-08-20T10:11:12.1234567+05:30", undefined],
    ["Edm.DateTimeOffset", "2024-02-29T00:00Z", undefined],
    ["Edm.DateTimeOffset", "2026-02-29T00:00:00Z", '"2026-02-29T00:00:00Z" is shaped like a date-time but names no real instant'],
    ["Edm.DateTimeOffset", "2026-08-20T24:00:00Z", '"2026-08-20T24:00:00Z" is shaped like a date-time but names no real instant'],
    ["Edm.DateTimeOffset", "2026-08-20T10:11:12", expect.stringContaining("is not an ISO 8601 date-time with a time zone")],
    ["Edm.DateTimeOffset", "2026-08-20", expect.stringContaining("is not an ISO 8601 date-time")],
    ["Edm.DateTimeOffset", 1_755_000_000_000, "1755000000000 is not a JSON string"],
    ["Edm.Guid", "00000000-0000-0000-0000-000000000000", undefined],
    ["Edm.Guid", "0000", '"0000" is not a GUID'],
  ])("%s %j", (type, value, problem) => {
    expect(primitiveProblem(type, value)).toEqual(problem);
  });

  it("refuses to guess for a type it has no check for", () => {
    expect(() => primitiveProblem("Edm.Double", 1.5)).toThrow(/no check for the primitive type Edm\.Double/);
  });
});

describe("checkInstance", () => {
  it("accepts a conforming full entity, with @odata annotations on it and on a property", () => {
    expect(messages({ ...staged(), "@odata.context": "https://x/$metadata#y/$entity", "groupTag@odata.type": "#String" }, "all")).toEqual([]);
  });

  it("names every violation with its path", () => {
    const value = staged(
      { color: "red", hardwareIdentifier: "AAECAw", importId: 7, "color@odata.type": "#String", "@odata.type": "#microsoft.graph.windowsAutopilotDeviceIdentity" },
      { deviceErrorCode: null, deviceImportStatus: "done", deviceErrorName: 806, extra: true },
    );
    expect(messages(value)).toEqual([
      '$.@odata.type: "#microsoft.graph.windowsAutopilotDeviceIdentity" does not name microsoft.graph.importedWindowsAutopilotDeviceIdentity or a type derived from it',
      '$.hardwareIdentifier: "AAECAw" is not padded standard base64 (Edm.Binary)',
      "$.importId: 7 is not a JSON string (Edm.String)",
      '$.state.deviceImportStatus: "done" is not a member of importedWindowsAutopilotDeviceIdentityImportStatus (unknown, pending, partial, complete, error)',
      '$.state.deviceErrorCode: is null, but it is declared Nullable="false" (Int32)',
      "$.state.deviceErrorName: 806 is not a JSON string (Edm.String)",
      "$.state.extra: is not a property of importedWindowsAutopilotDeviceIdentityState or its base types",
      "$.color: is not a property of importedWindowsAutopilotDeviceIdentity or its base types",
      "$.color@odata.type: annotates 'color', which importedWindowsAutopilotDeviceIdentity does not declare",
    ]);
  });

  it("checks the key inherited from graph.entity, and complex values as objects", () => {
    expect(messages(staged({ id: null, state: "complete" }))).toEqual([
      '$.id: is null, but it is declared Nullable="false" (String)',
      "$.state: is not a JSON object (importedWindowsAutopilotDeviceIdentityState)",
    ]);
    expect(messages([staged()])).toEqual(["$: is not a JSON object (importedWindowsAutopilotDeviceIdentity)"]);
  });

  it("requires every declared property of a full entity (nested ones too), or the $select list", () => {
    const { groupTag: _groupTag, ...partial } = staged();
    const { deviceErrorName: _name, ...state } = staged().state as Record<string, unknown>;
    expect(messages({ ...partial, state }, "all")).toEqual([
      "$.state.deviceErrorName: is missing from a full importedWindowsAutopilotDeviceIdentityState",
      "$.groupTag: is missing from a full importedWindowsAutopilotDeviceIdentity",
    ]);
    expect(messages({ id: "1", serialNumber: "S", state: staged().state }, ["id", "serialNumber", "importId", "state"])).toEqual(["$.importId: was selected but is missing"]);
    expect(() => messages(staged(), ["color"])).toThrow(/color is not a property/);
  });

  it("knows navigation properties from structural ones, and enums on the registered type", () => {
    expect(checkInstance(v1, "graph.importedWindowsAutopilotDeviceIdentityUpload", { id: "u", createdDateTimeUtc: "2026-01-01T00:00:00Z", status: "pending", deviceIdentities: [] })).toEqual([
      { path: "$.deviceIdentities", message: "is a navigation property of importedWindowsAutopilotDeviceIdentityUpload: not part of the entity without $expand" },
    ]);
    expect(checkInstance(v1, "graph.windowsAutopilotDeviceIdentity", { id: "d", enrollmentState: null, lastContactedDateTime: "0001-01-01T00:00:00Z" })).toEqual([
      { path: "$.enrollmentState", message: 'is null, but it is declared Nullable="false" (enrollmentState)' },
    ]);
  });
});

describe("checkActionBody", () => {
  const importAction = v1.boundAction("import", "Collection(graph.importedWindowsAutopilotDeviceIdentity)");
  const update = v1.boundAction("updateDeviceProperties", "graph.windowsAutopilotDeviceIdentity");

  it("checks every item of a collection parameter against the entity type", () => {
    const device = { "@odata.type": "#microsoft.graph.importedWindowsAutopilotDeviceIdentity", serialNumber: "S", hardwareIdentifier: "AAECAw==" };
    expect(checkActionBody(v1, importAction, { importedWindowsAutopilotDeviceIdentities: [device, device] })).toEqual([]);
    expect(checkActionBody(v1, importAction, { importedWindowsAutopilotDeviceIdentities: [device, { ...device, state: null, serial: "S" }, null] })).toEqual([
      { path: "$.importedWindowsAutopilotDeviceIdentities[1].serial", message: "is not a property of importedWindowsAutopilotDeviceIdentity or its base types" },
    ]);
    expect(checkActionBody(v1, importAction, { importedWindowsAutopilotDeviceIdentities: device })[0]?.message).toMatch(/is not a JSON array \(Collection\(graph\.importedWindowsAutopilotDeviceIdentity\)\)/);
  });

  it("refuses the binding parameter, undeclared parameters and a body that is no object", () => {
    expect(checkActionBody(v1, update, { groupTag: "T", userPrincipalName: null, "@odata.type": "#x" })).toEqual([]);
    expect(checkActionBody(v1, update, { bindingParameter: {}, assignedUserPrincipalName: "a@b" })).toEqual([
      { path: "$.bindingParameter", message: "is the binding parameter: the URL carries it" },
      { path: "$.assignedUserPrincipalName", message: "is not a parameter of updateDeviceProperties" },
    ]);
    expect(checkActionBody(v1, update, [])).toEqual([{ path: "$", message: "the body of updateDeviceProperties is not a JSON object" }]);
  });
});

describe("checkBetaInstance", () => {
  it("checks names against the beta mappings and values by v1.0's declaration where it has one", () => {
    expect(checkBetaInstance(contract, "windowsAutopilotDeviceIdentity", { id: "d", azureAdDeviceId: "x", remediationState: "unknown", enrollmentState: "enrolled" })).toEqual([]);
    expect(checkBetaInstance(contract, "windowsAutopilotDeviceIdentity", { id: null, enrollmentState: "gone", deploymentProfile: {}, color: 1 })).toEqual([
      { path: "$.id", message: 'is null, but it is declared Nullable="false" (String)' },
      { path: "$.enrollmentState", message: '"gone" is not a member of enrollmentState (unknown, enrolled, pendingReset, failed, notContacted)' },
      { path: "$.deploymentProfile", message: "is a navigation property of windowsAutopilotDeviceIdentity: not part of the entity without $expand" },
      { path: "$.color", message: "is not a beta property of windowsAutopilotDeviceIdentity" },
    ]);
  });

  it("knows the beta-only settings singleton by name", () => {
    const settings = { "@odata.type": "#microsoft.graph.windowsAutopilotSettings", id: "s", syncStatus: "completed", lastSyncDateTime: "x", lastManualSyncTriggerDateTime: "y" };
    expect(checkBetaInstance(contract, "windowsAutopilotSettings", settings)).toEqual([]);
    expect(checkBetaInstance(contract, "windowsAutopilotSettings", { ...settings, "@odata.type": "#microsoft.graph.settings", nextSync: 1 })).toEqual([
      { path: "$.@odata.type", message: '"#microsoft.graph.settings" does not name microsoft.graph.windowsAutopilotSettings' },
      { path: "$.nextSync", message: "is not a beta property of windowsAutopilotSettings" },
    ]);
    expect(() => checkBetaInstance(contract, "deviceManagement", {})).toThrow(/not in the beta type mappings/);
  });
});

describe("which request carries which body", () => {
  const request = (method: string, path: string, body?: unknown) => ({ method, version: "v1.0" as const, path, body });

  it("maps the routes the client writes to", () => {
    expect(contractFor(request("POST", "/deviceManagement/importedWindowsAutopilotDeviceIdentities/import"))).toMatchObject({ kind: "action", name: "import" });
    expect(contractFor(request("POST", "/deviceManagement/windowsAutopilotDeviceIdentities/a%20b/updateDeviceProperties"))).toMatchObject({ name: "updateDeviceProperties" });
    expect(contractFor(request("GET", "/deviceManagement/importedWindowsAutopilotDeviceIdentities?$top=5"))).toEqual({ kind: "no body" });
    expect(contractFor(request("POST", "/deviceManagement/importedWindowsAutopilotDeviceIdentities"))).toBeUndefined();
  });

  it("flags a body where none belongs, or where no contract covers it", () => {
    expect(checkRequestBody(contract, request("POST", "/deviceManagement/windowsAutopilotSettings/sync", {}))).toEqual([
      { path: "POST /v1.0/deviceManagement/windowsAutopilotSettings/sync", message: "carries a body where none is defined" },
    ]);
    expect(checkRequestBody(contract, request("POST", "/deviceManagement/importedWindowsAutopilotDeviceIdentities", { serialNumber: "S" }))).toEqual([
      { path: "POST /v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities", message: "carries a body, but no contract covers this request" },
    ]);
    expect(checkRequestBody(contract, request("POST", "/$batch", { requests: [] }))).toEqual([]);
  });
});
