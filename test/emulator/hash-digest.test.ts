/**
 * limits.hashStorage "digest": the emulator keeps a digest of each staged hash instead of the hash, and still tells
 * duplicates and corrupt hashes apart; an import runs end to end (the real CLI over HTTPS) into such an emulator.
 */
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { comparableHash, isDigest, keepHash, shownHash } from "../../src/emulator/hash-storage.js";
import { startEmulator } from "../../src/emulator/index.js";
import { BIN, runCli } from "../support/cli-process.js";
import { bySerial, devicesNamed, makeHash, readCsvReport, writeCsv } from "../support/device-csv.js";
import { QUIET, STAGED, UPLOADS, device, hash, type Page, type Staged } from "../support/emulator-client.js";
import { clientFor } from "./hash-storage-modes.js";

type StagedWire = Staged & { readonly hardwareIdentifier: string | null };
const startDigest = clientFor("digest");

describe("hash-storage: what a record keeps of a hash", () => {
  it("full keeps the hash; digest keeps 16 characters that match equal hashes only, whichever mode kept the other", () => {
    const sent = makeHash(3000);
    expect(keepHash(sent, "full")).toBe(sent);
    const digest = keepHash(sent, "digest") ?? "";
    expect(digest).toHaveLength(16);
    expect(isDigest(digest)).toBe(true);
    expect(isDigest(sent)).toBe(false);
    expect(keepHash(sent, "digest")).toBe(digest);
    expect(keepHash(makeHash(3000), "digest")).not.toBe(digest);
    expect(comparableHash(sent)).toBe(comparableHash(digest));
    // A missing or empty hash is kept as it is (it still ends 802).
    expect([keepHash(null, "digest"), keepHash("", "digest")]).toEqual([null, ""]);
    expect([shownHash(digest), shownHash(sent), shownHash(null)]).toEqual(["", sent, null]);
  });
});

describe("limits.hashStorage digest over HTTP", () => {
  async function importAndSettle(client: Awaited<ReturnType<typeof startDigest>>, inputs: Record<string, unknown>[]): Promise<StagedWire[]> {
    const reply = await client.request<{ value: StagedWire[] }>("POST", `${STAGED}/import`, { body: { importedWindowsAutopilotDeviceIdentities: inputs } });
    expect(reply.status).toBe(200);
    client.emulator.clock.advance(60_000);
    const records: StagedWire[] = [];
    for (const record of reply.body.value) records.push((await client.request<StagedWire>("GET", `${STAGED}/${record.id}`)).body);
    return records;
  }

  it("the same hash under another serial ends ZtdDeviceDuplicated, with the scenario's error code; the first copy registers", async () => {
    const client = await startDigest({ ...QUIET, outcomes: { duplicatedErrorCode: 809 } });
    const same = makeHash(3000);
    const records = await importAndSettle(client, [
      { serialNumber: "DG-1", hardwareIdentifier: same },
      { serialNumber: "DG-2", hardwareIdentifier: same },
      device("DG-3"),
    ]);
    expect(records.map((record) => [record.state.deviceImportStatus, record.state.deviceErrorCode, record.state.deviceErrorName])).toEqual([
      ["complete", 0, null],
      ["error", 809, "ZtdDeviceDuplicated"],
      ["complete", 0, null],
    ]);
    expect(records.map((record) => record.hardwareIdentifier)).toEqual(["", "", ""]);
    expect(client.emulator.stats().devices).toMatchObject({ registered: 2, outcomes: { complete: 2, ZtdDeviceDuplicated: 1 } });
  });

  it("corrupt hashes end 802 (listed before or after staging, empty), and a hash that is not padded base64 is still a 400", async () => {
    const client = await startDigest({ ...QUIET, outcomes: { corruptHashes: [hash("listed-before")] } });
    const listedLater = hash("listed-after");
    const reply = await client.request<{ value: StagedWire[] }>("POST", `${STAGED}/import`, {
      body: {
        importedWindowsAutopilotDeviceIdentities: [
          { serialNumber: "CR-1", hardwareIdentifier: hash("listed-before") },
          { serialNumber: "CR-2", hardwareIdentifier: listedLater },
          { serialNumber: "CR-3", hardwareIdentifier: "" },
          device("CR-4"),
        ],
      },
    });
    // The scenario changes after the hashes were reduced to digests, before processing: the listed value still matches.
    client.emulator.setScenario({ outcomes: { corruptHashes: [hash("listed-before"), listedLater] } });
    client.emulator.clock.advance(60_000);
    const states = [];
    for (const record of reply.body.value) states.push((await client.request<StagedWire>("GET", `${STAGED}/${record.id}`)).body.state);
    expect(states.map((state) => [state.deviceErrorCode, state.deviceErrorName])).toEqual([
      [802, "InvalidZtdHardwareHash"],
      [802, "InvalidZtdHardwareHash"],
      [802, "InvalidZtdHardwareHash"],
      [0, null],
    ]);
    const unpadded = Buffer.from("x".repeat(49)).toString("base64").replace(/=+$/, "");
    const refused = await client.request<{ error: { message: string } }>("POST", STAGED, { body: { serialNumber: "CR-5", hardwareIdentifier: unpadded } });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toBe(`Cannot convert the literal '${unpadded}' to the expected type 'Edm.Binary'.`);
  });

  it("an upload whose members were kept in both modes still finds the repeated hash", async () => {
    const client = await clientFor("full")();
    const same = makeHash(3000);
    const upload = await client.request<{ id: string }>("POST", UPLOADS, { body: { deviceIdentities: [{ serialNumber: "UP-1", hardwareIdentifier: same }] } });
    client.emulator.setScenario({ limits: { hashStorage: "digest" } });
    const imported = await client.request<{ value: StagedWire[] }>("POST", `${UPLOADS}/${upload.body.id}/deviceIdentities/import`, {
      body: { importedWindowsAutopilotDeviceIdentities: [{ serialNumber: "UP-2", hardwareIdentifier: same }] },
    });
    expect(imported.body.value.map((record) => record.hardwareIdentifier)).toEqual([same, ""]);
    client.emulator.clock.advance(60_000);
    const members = await client.request<Page<StagedWire>>("GET", `${UPLOADS}/${upload.body.id}/deviceIdentities`);
    expect(members.body.value.map((record) => record.state.deviceErrorName)).toEqual([null, "ZtdDeviceDuplicated"]);
  });

  it("the CLI imports a file into a digest-mode emulator: every row one outcome, registered once, 802 reported, no secret shown", async () => {
    expect(existsSync(BIN), "run `npm run build` before the CLI tests").toBe(true);
    const corrupt = makeHash();
    const emulator = await startEmulator({
      scenario: { clock: { speed: 50 }, processing: { delayMs: 2000, spreadMs: 1000 }, limits: { hashStorage: "digest" }, outcomes: { corruptHashes: [corrupt] } },
    });
    try {
      const dir = mkdtempSync(path.join(tmpdir(), "autopilot-import-digest-"));
      const file = writeCsv(dir, "devices.csv", [...devicesNamed("DIG-", 7), { serial: "DIG-802", hash: corrupt }]);
      const report = path.join(dir, "report.csv");
      const result = await runCli(
        ["import", file, "--graph-url", emulator.graphUrl, "--authority-host", emulator.authorityHost, "--ca-cert", emulator.caCertPath]
          .concat(["--report", report, "--json", "--batch-size", "3", "--no-sync", "--log-level", "warn"]),
        { env: { AZURE_TENANT_ID: emulator.tenantId, AZURE_CLIENT_ID: emulator.clientId, AZURE_CLIENT_SECRET: emulator.clientSecret }, cwd: dir },
      );
      expect(result.code).toBe(1);
      expect(JSON.parse(result.stdout)).toMatchObject({ rows: 8, submitted: 8, imported: 7, failed: 1, registered: 7 });
      const rows = readCsvReport(report);
      expect(rows).toHaveLength(8);
      expect(bySerial(rows)["DIG-802"]).toMatchObject({ status: "failed", errorCode: "802" });
      expect(rows.filter((row) => row.status === "imported")).toHaveLength(7);
      const stats = emulator.stats();
      expect(stats.submissions.serialsSubmittedMoreThanOnce).toEqual([]);
      expect(stats.devices).toMatchObject({ registeredCreated: 7, outcomes: { complete: 7, InvalidZtdHardwareHash: 1 } });
      for (const output of [result.stdout, result.stderr, readFileSync(report, "utf8")]) expect(output).not.toContain(emulator.clientSecret);
    } finally {
      await emulator.close();
    }
  });
});
