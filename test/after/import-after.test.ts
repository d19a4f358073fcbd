import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createPostImportStage } from "../../src/after/post-import.js";
import { importFiles } from "../../src/run/import-files.js";
import { bySerial, makeHash, readCsvReport, writeCsv } from "../support/device-csv.js";
import { FAST_POLL, harnessRuntime, routeCounts, startAfterHarness, SYNC_ROUTE, UPDATE_ROUTE, type AfterHarness } from "../support/emulator-harness.js";
import { PROFILES } from "../support/profiles.js";

let h: AfterHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const dir = mkdtempSync(path.join(tmpdir(), "autopilot-import-after-"));

describe.each(PROFILES)("importDevices with the after-import stage, against the emulator ($name profile)", (profile) => {
  it("verifies late registrations, updates an existing device's tag, syncs once, and reports it all", async () => {
    h = await startAfterHarness(
      profile.apply({
        processing: { delayMs: 0, spreadMs: 0, registrationLagMs: 30_000 },
        outcomes: { otherTenantSerials: ["FOREIGN-808"] },
      }),
    );
    h.emulator.registerDevices([
      { serialNumber: "EXISTING-TAG", groupTag: "Old" },
      { serialNumber: "EXISTING-SAME", groupTag: "Sales" },
    ]);
    const file = writeCsv(dir, "after.csv", [
      { serial: "NEW-1", hash: makeHash() },
      { serial: "NEW-2", hash: makeHash(), groupTag: "Sales" },
      { serial: "EXISTING-TAG", hash: makeHash(), groupTag: "New" },
      { serial: "EXISTING-SAME", hash: makeHash(), groupTag: "Sales" },
      { serial: "FOREIGN-808", hash: makeHash() },
      { serial: "BROKEN", hash: "not base64!" },
    ]);
    const reportPath = path.join(dir, "after-report.csv");
    const runtime = harnessRuntime(h);
    const steps: string[] = [];
    const { summary: summary } = await importFiles({
      files: [file],
      client: h.client,
      reportPath: reportPath,
      pollPolicy: FAST_POLL,
      ...runtime,
      postImport: createPostImportStage(h.client, {
        ...runtime,
        updateExisting: true,
        syncWait: true,
        verifyTimeoutMs: 5 * 60_000,
        onStep: (message) => steps.push(message),
      }),
    });
    expect(steps).toEqual([
      "Updating 2 already registered device(s) from the CSV where they differ…",
      "Checking that 2 imported device(s) are registered (up to 5m)…",
      "Triggering the Autopilot sync…",
    ]);

    expect(summary).toMatchObject({
      rows: 6,
      imported: 2,
      alreadyRegistered: 1,
      updated: 1,
      failed: 1,
      invalid: 1,
      registered: 4,
      sync: { status: "triggered" },
    });
    const rows = bySerial(readCsvReport(reportPath));
    expect(Object.keys(rows)).toHaveLength(6);
    expect(rows["NEW-1"]).toMatchObject({ status: "imported", registered: "yes" });
    expect(rows["NEW-2"]).toMatchObject({ status: "imported", registered: "yes" });
    expect(rows["EXISTING-TAG"]).toMatchObject({ status: "updated", registered: "yes", errorCode: "806", message: "Already registered; updated group tag 'Old' → 'New'." });
    expect(rows["EXISTING-SAME"]).toMatchObject({ status: "already_registered", registered: "yes", message: expect.stringContaining("nothing to change") });
    expect(rows["FOREIGN-808"]).toMatchObject({ status: "failed", registered: "unchecked" });
    expect(rows.BROKEN).toMatchObject({ status: "invalid", registered: "unchecked" });

    const registered = h.emulator.devices().registered;
    expect(registered.find((d) => d.serialNumber === "EXISTING-TAG")?.groupTag).toBe("New");
    expect(registered.find((d) => d.serialNumber === "EXISTING-SAME")?.groupTag).toBe("Sales");
    expect(routeCounts(h.emulator, UPDATE_ROUTE)).toEqual({ "204": 1 });
    expect(routeCounts(h.emulator, SYNC_ROUTE)).toEqual({ "204": 1 });
    if (profile.name === "pessimistic") {
      // Every serial here has a hyphen: the lookups went by a hyphen-free part after the service refused the first.
      expect(h.client.traits.get("hyphenContainsWorks")).toBe(false);
      expect(h.client.traits.get("selectWorks")).toBe(false);
    }
  });

  it("without verification or sync: rows are written as polled, registered unchecked, no sync", async () => {
    h = await startAfterHarness(profile.apply({ processing: { delayMs: 0, spreadMs: 0 } }));
    h.emulator.registerDevices([{ serialNumber: "OLD-1", groupTag: "A" }]);
    const file = writeCsv(dir, "plain.csv", [
      { serial: "PLAIN-1", hash: makeHash() },
      { serial: "OLD-1", hash: makeHash(), groupTag: "B" },
    ]);
    const reportPath = path.join(dir, "plain-report.csv");
    const runtime = harnessRuntime(h);
    const { summary: summary } = await importFiles({
      files: [file],
      client: h.client,
      reportPath: reportPath,
      pollPolicy: FAST_POLL,
      ...runtime,
      postImport: createPostImportStage(h.client, { ...runtime, verify: false, sync: false }),
    });
    expect(summary).toMatchObject({ imported: 1, alreadyRegistered: 1, updated: 0, registered: 0, sync: { status: "skipped" } });
    const rows = bySerial(readCsvReport(reportPath));
    expect(rows["PLAIN-1"]).toMatchObject({ status: "imported", registered: "unchecked" });
    expect(rows["OLD-1"]).toMatchObject({ status: "already_registered", registered: "unchecked" });
    expect(h.emulator.devices().registered.find((d) => d.serialNumber === "OLD-1")?.groupTag).toBe("A");
    expect(routeCounts(h.emulator, SYNC_ROUTE)).toEqual({});
  });

  it("no device imported: no sync", async () => {
    h = await startAfterHarness(profile.apply({ processing: { delayMs: 0, spreadMs: 0 } }));
    h.emulator.registerDevices([{ serialNumber: "ONLY-OLD" }]);
    const file = writeCsv(dir, "old.csv", [{ serial: "ONLY-OLD", hash: makeHash() }]);
    const runtime = harnessRuntime(h);
    const { summary: summary } = await importFiles({
      files: [file],
      client: h.client,
      reportPath: path.join(dir, "old-report.csv"),
      pollPolicy: FAST_POLL,
      ...runtime,
      postImport: createPostImportStage(h.client, runtime),
    });
    expect(summary).toMatchObject({ alreadyRegistered: 1, sync: { status: "skipped", message: "skipped: no device was imported" } });
    expect(routeCounts(h.emulator, SYNC_ROUTE)).toEqual({});
  });
});
