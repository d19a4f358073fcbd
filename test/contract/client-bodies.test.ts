/**
 * Every body the client sends, observed on the wire during real runs against the emulator, conforms to Microsoft's
 * metadata: the import action (through the action and through the beta uploads), updateDeviceProperties (inside
 * $batch), the upload it creates, and the windowsAutopilotSettings PATCH.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createPostImportStage } from "../../src/after/post-import.js";
import type { ObservedGraphRequest } from "../../src/emulator/index.js";
import { importFiles } from "../../src/run/import-files.js";
import { makeHash } from "../support/device-csv.js";
import { FAST_POLL } from "../support/emulator-harness.js";
import { PROFILES } from "../support/profiles.js";
import { loadContract } from "./metadata.js";
import { startObservedHarness, type ObservedHarness } from "./observed-harness.js";
import { checkRequestBody, contractFor } from "./wire-contract.js";

const contract = loadContract();
const dir = mkdtempSync(path.join(tmpdir(), "autopilot-import-contract-"));

let h: ObservedHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

interface Row {
  readonly serial: string;
  readonly hash?: string;
  readonly productKey?: string;
  readonly groupTag?: string;
  readonly user?: string;
}

/** An admin-center CSV with every optional column the tool reads. */
function writeFullCsv(name: string, rows: readonly Row[]): string {
  const lines = [
    "Device Serial Number,Windows Product ID,Hardware Hash,Group Tag,Assigned User",
    ...rows.map((row) => [row.serial, row.productKey ?? "", row.hash ?? makeHash(), row.groupTag ?? "", row.user ?? ""].join(",")),
  ];
  const file = path.join(dir, name);
  writeFileSync(file, `${lines.join("\r\n")}\r\n`);
  return file;
}

const isImport = (request: ObservedGraphRequest): boolean => request.method === "POST" && request.path.split("?")[0]!.endsWith("/import");
const isUpdate = (request: ObservedGraphRequest): boolean => request.path.endsWith("/updateDeviceProperties");
const importedDevices = (requests: readonly ObservedGraphRequest[]): Array<Record<string, unknown>> =>
  requests.filter(isImport).flatMap((request) => (request.body as { importedWindowsAutopilotDeviceIdentities: Array<Record<string, unknown>> }).importedWindowsAutopilotDeviceIdentities);

describe.each(PROFILES)("request bodies the client sends conform to the metadata ($name profile)", (profile) => {
  it("import action, updateDeviceProperties, the beta uploads and the settings PATCH", async () => {
    h = await startObservedHarness(profile.apply({ processing: { delayMs: 0, spreadMs: 0 }, outcomes: { otherTenantSerials: ["FOREIGN-808"] } }));
    h.emulator.registerDevices([
      { serialNumber: "EXISTING-TAG", groupTag: "Old" },
      { serialNumber: "EXISTING-USER", groupTag: "Kiosk" },
    ]);
    const unpadded = makeHash(301).replace(/=+$/, "");
    const file = writeFullCsv("full.csv", [
      { serial: "PLAIN-1" },
      { serial: "TAGGED-1", groupTag: "Sales" },
      { serial: "USER-1", user: "ann@contoso.com" },
      { serial: "KEY-1", productKey: "ABCDE-FGHIJ-KLMNO-PQRST-UVWXY" },
      { serial: "PKID-1", productKey: "1234567890123" },
      { serial: "FULL-1", productKey: "VWXYZ-ABCDE-FGHIJ-KLMNO-PQRST", groupTag: "Lab", user: "bob@contoso.com" },
      { serial: "UNPADDED-1", hash: unpadded },
      { serial: "EXISTING-TAG", groupTag: "New" },
      { serial: "EXISTING-USER", user: "carol@contoso.com" },
      { serial: "FOREIGN-808", groupTag: "Elsewhere" },
    ]);
    const { summary: summary } = await importFiles({
      files: [file],
      client: h.client,
      batchSize: 4,
      reportPath: path.join(dir, `${profile.name}-report.csv`),
      pollPolicy: FAST_POLL,
      ...h.runtime,
      postImport: createPostImportStage(h.client, { ...h.runtime, updateExisting: true, verifyTimeoutMs: 5 * 60_000 }),
    });
    expect(summary).toMatchObject({ rows: 10, imported: 7, updated: 2, failed: 1 });

    const { summary: uploads } = await importFiles({
      files: [writeFullCsv("uploads.csv", [{ serial: "UPLOAD-1", groupTag: "Sales", user: "dan@contoso.com", productKey: "1234567890124" }, { serial: "UPLOAD-2" }])],
      client: h.client,
      api: "upload",
      reportPath: path.join(dir, `${profile.name}-uploads-report.csv`),
      pollPolicy: FAST_POLL,
      ...h.runtime,
    });
    expect(uploads).toMatchObject({ imported: 2 });

    // The only PATCH of the settings: the one the sync tests use to stage "another admin synced" (src/ never sends one).
    await h.client.request({ method: "PATCH", path: "/deviceManagement/windowsAutopilotSettings", version: "beta", body: { lastManualSyncTriggerDateTime: new Date(h.runtime.now()).toISOString() } });

    const { requests } = h;
    expect(requests.flatMap((request) => checkRequestBody(contract, request))).toEqual([]);
    expect(requests.filter((request) => contractFor(request) === undefined)).toEqual([]);

    // The runs exercised what the contract covers: every input property, on both import routes, and the updates in $batch.
    const devices = importedDevices(requests);
    expect(devices.map((device) => device["serialNumber"]).sort()).toEqual(
      ["EXISTING-TAG", "EXISTING-USER", "FOREIGN-808", "FULL-1", "KEY-1", "PKID-1", "PLAIN-1", "TAGGED-1", "UNPADDED-1", "UPLOAD-1", "UPLOAD-2", "USER-1"],
    );
    expect(new Set(devices.flatMap((device) => Object.keys(device)))).toEqual(
      new Set(["@odata.type", "serialNumber", "hardwareIdentifier", "importId", "productKey", "groupTag", "assignedUserPrincipalName"]),
    );
    expect(devices.find((device) => device["serialNumber"] === "UNPADDED-1")?.["hardwareIdentifier"]).toMatch(/=$/);
    expect(requests.filter(isImport).map((request) => `${request.version} ${request.path.replace(/Uploads\/[^/]+\//, "Uploads/{id}/")}`)).toEqual(
      expect.arrayContaining([
        "v1.0 /deviceManagement/importedWindowsAutopilotDeviceIdentities/import",
        "beta /deviceManagement/importedWindowsAutopilotDeviceIdentityUploads/{id}/deviceIdentities/import",
      ]),
    );
    const updates = requests.filter(isUpdate);
    expect(updates.map((request) => request.body)).toEqual(expect.arrayContaining([{ groupTag: "New" }, { userPrincipalName: "carol@contoso.com" }]));
    expect(updates).toHaveLength(2);
    expect(requests.filter((request) => request.method === "POST" && request.path === "/$batch").length).toBeGreaterThan(0);
    expect(requests.filter((request) => request.method === "POST" && request.path === "/deviceManagement/importedWindowsAutopilotDeviceIdentityUploads").length).toBeGreaterThan(0);
    expect(requests.filter((request) => request.method === "PATCH")).toHaveLength(1);
  });
});

describe("the observed-body check", () => {
  it("reports what the metadata refuses, top-level and inside $batch", async () => {
    h = await startObservedHarness({});
    const [device] = h.emulator.registerDevices([{ serialNumber: "BAD-1" }]);
    // The emulator answers 400 to both (as Graph would); the check must see the same bodies and say why.
    await h.client.request({
      method: "POST",
      path: "/deviceManagement/importedWindowsAutopilotDeviceIdentities/import",
      body: { importedWindowsAutopilotDeviceIdentities: [{ serialNumber: "S", hardwareIdentifier: "AAE", color: "red" }] },
    }).catch(() => undefined);
    await h.client.batch([{ method: "POST", path: `/deviceManagement/windowsAutopilotDeviceIdentities/${device!.id}/updateDeviceProperties`, body: { groupTag: 7, serialNumber: "x" } }]);
    const violations = h.requests.flatMap((request) => checkRequestBody(contract, request));
    expect(violations.map((violation) => violation.message)).toEqual([
      '"AAE" is not padded standard base64 (Edm.Binary)',
      "is not a property of importedWindowsAutopilotDeviceIdentity or its base types",
      "7 is not a JSON string (Edm.String)",
      "is not a parameter of updateDeviceProperties",
    ]);
    expect(violations[0]!.path).toBe("POST /v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities/import.importedWindowsAutopilotDeviceIdentities[0].hardwareIdentifier");
  });
});
