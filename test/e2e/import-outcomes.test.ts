import { afterAll, beforeAll, describe, expect, it } from "vitest";
import path from "node:path";
import { importFiles } from "../../src/run/import-files.js";
import { bySerial, makeHash, readCsvReport, writeCsv } from "../support/device-csv.js";
import { FAST_POLL } from "../support/emulator-harness.js";
import { PROFILES } from "../support/profiles.js";
import { startHarness, type Harness } from "./harness.js";

describe.each(PROFILES)("import against the emulator ($name profile): mixed outcomes", (profile) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(
      profile.apply({
        clock: { speed: 20 },
        processing: { delayMs: 3000, spreadMs: 2000 },
        outcomes: { otherTenantSerials: ["OTHER-808"], corruptHashSerials: ["CORRUPT-802"] },
      }),
    );
    h.emulator.registerDevices([{ serialNumber: "KNOWN-806" }]);
  });
  afterAll(() => h?.close());

  it("imports, reports every row with its outcome, and submits each serial once", async () => {
    const shared = makeHash();
    const unpadded = makeHash(301).replace(/=+$/, "");
    expect(unpadded.length % 4).not.toBe(0);
    const file = writeCsv(h.dir, "mixed.csv", [
      { serial: "OK-1", hash: makeHash() },
      { serial: "KNOWN-806", hash: makeHash() },
      { serial: "OTHER-808", hash: makeHash() },
      { serial: "DUP-A", hash: shared },
      { serial: "DUP-B", hash: shared },
      { serial: "CORRUPT-802", hash: makeHash() },
      { serial: "UNPADDED", hash: unpadded },
      { serial: "BROKEN", hash: "not base64 at all!" },
      { serial: "OK-2", hash: makeHash(), groupTag: "Sales" },
    ]);
    const reportPath = path.join(h.dir, "mixed-report.csv");
    const { summary: summary } = await importFiles({
      files: [file],
      client: h.client,
      limiter: h.limiter,
      batchSize: 4,
      reportPath: reportPath,
      pollPolicy: FAST_POLL,
    });

    expect(summary).toMatchObject({
      rows: 9,
      valid: 7,
      invalid: 1,
      duplicates: 1,
      submitted: 7,
      imported: 4,
      alreadyRegistered: 1,
      failed: 2,
      timedOut: 0,
      uploads: 2,
    });
    const report = readCsvReport(reportPath);
    expect(report).toHaveLength(9);
    const rows = bySerial(report);
    const uploadIds = new Set(report.map((r) => r.uploadId).filter(Boolean));
    expect(uploadIds.size).toBe(2);
    expect(rows["OK-1"]).toMatchObject({ file, line: "2", status: "imported", errorCode: "", importedDeviceId: expect.any(String) });
    expect(rows["OK-1"]!.deviceRegistrationId).not.toBe("");
    expect(rows["KNOWN-806"]).toMatchObject({ line: "3", status: "already_registered", errorCode: "806" });
    expect(rows["OTHER-808"]).toMatchObject({ line: "4", status: "failed", errorCode: "808", message: expect.stringContaining("Whoever registered it must deregister it") });
    expect(rows["DUP-A"]).toMatchObject({ line: "5", status: "imported" });
    expect(rows["DUP-B"]).toMatchObject({ line: "6", status: "duplicate", errorName: "duplicate_hash", uploadId: "" });
    expect(rows["CORRUPT-802"]).toMatchObject({ line: "7", status: "failed", errorCode: "802", message: expect.stringContaining("Recapture the hash") });
    expect(rows.UNPADDED).toMatchObject({ line: "8", status: "imported" });
    expect(rows.BROKEN).toMatchObject({ line: "9", status: "invalid", uploadId: "", importedDeviceId: "" });
    expect(rows["OK-2"]).toMatchObject({ line: "10", status: "imported" });

    const stats = h.emulator.stats();
    expect(stats.submissions.serialsSubmittedMoreThanOnce).toEqual([]);
    expect(Object.keys(stats.submissions.bySerial).sort()).toEqual(["CORRUPT-802", "DUP-A", "KNOWN-806", "OK-1", "OK-2", "OTHER-808", "UNPADDED"]);
    const staged = h.emulator.devices().staged;
    expect(staged.find((d) => d.serialNumber === "OK-2")?.groupTag).toBe("Sales");
    // The pessimistic service reads hashes back empty; there the import itself shows the padded hash was accepted.
    if (profile.name === "default") {
      expect(staged.find((d) => d.serialNumber === "UNPADDED")?.hardwareIdentifier).toBe(`${unpadded}${"=".repeat((4 - (unpadded.length % 4)) % 4)}`);
    }
  });

  it("polls with $select so pages carry no hardware hashes, unless the service fails $select (then without it)", async () => {
    const query = "$select=id,serialNumber,importId,state&$top=5";
    const pages = h.client.pages<Record<string, unknown>>(`/deviceManagement/importedWindowsAutopilotDeviceIdentities?${query}`);
    const first = (await pages.next()).value;
    expect(first?.value.length).toBeGreaterThan(0);
    if (profile.name === "default") {
      expect(h.client.traits.get("selectWorks")).toBeUndefined();
      for (const record of first?.value ?? []) {
        expect(Object.keys(record).sort()).toEqual(["@odata.type", "id", "importId", "serialNumber", "state"]);
      }
      // A $select the service refuses (here a 400 for an unknown property) never fails the call: it goes again without.
      const refused = await h.client.request<{ value: unknown[] }>({ method: "GET", path: "/deviceManagement/importedWindowsAutopilotDeviceIdentities?$select=nope" });
      expect(refused.body.value.length).toBeGreaterThan(0);
      expect(h.client.traits.get("selectWorks")).toBe(false);
    } else {
      // Learned during the import (journal-free here): no request has carried $select since.
      expect(h.client.traits.get("selectWorks")).toBe(false);
      expect(h.client.traits.get("importIdKept")).toBe(false);
      expect(Object.keys(first?.value[0] ?? {})).toContain("hardwareIdentifier");
    }
  });
});
