import { afterEach, describe, expect, it } from "vitest";
import path from "node:path";
import { importDevices } from "../../src/pipeline/import-devices.js";
import { importFiles } from "../../src/run/import-files.js";
import type { RowResult } from "../../src/model/device.js";
import type { ImportReportRow } from "../../src/pipeline/types.js";
import { bySerial, devicesNamed, makeHash, readCsvReport, writeCsv } from "../support/device-csv.js";
import { FAST_POLL } from "../support/emulator-harness.js";
import { PROFILES } from "../support/profiles.js";
import { startHarness, type Harness } from "./harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

function expectEachSerialOnce(harness: Harness, serials: readonly string[]): void {
  const stats = harness.emulator.stats();
  expect(stats.submissions.serialsSubmittedMoreThanOnce).toEqual([]);
  expect(Object.keys(stats.submissions.bySerial).sort()).toEqual([...serials].sort());
}

describe.each(PROFILES)("import against the emulator ($name profile): service trouble", (profile) => {
  it("waits out 429s with Retry-After and shrinks concurrency, then imports everything", async () => {
    h = await startHarness(profile.apply({
      clock: { speed: 20 },
      processing: { delayMs: 2000, spreadMs: 1000 },
      // 3 writes per 20 emulated seconds (1 real second): the first 4 uploads, sent at once, are throttled however
      // slowly a busy machine then sends the other 8 (at 5 a second a loaded machine could stay under the limit).
      throttling: { writesPerWindow: 3, windowSeconds: 20 },
    }));
    const devices = devicesNamed("THR", 60);
    const file = writeCsv(h.dir, "throttle.csv", devices);
    // The lowest concurrency the run went down to (sampled: each drop lasts until `limit` healthy answers in a row).
    const limiter = h.limiter;
    let lowest = limiter.limit;
    const sampler = setInterval(() => (lowest = Math.min(lowest, limiter.limit)), 1);
    const { summary: summary } = await importFiles({ files: [file], client: h.client, limiter, batchSize: 5, pollPolicy: FAST_POLL }).finally(() => clearInterval(sampler));
    expect(summary).toMatchObject({ rows: 60, imported: 60, uploads: 12 });
    const stats = h.emulator.stats();
    expect(stats.throttled.writes).toBeGreaterThan(0);
    expect(h.client.stats.throttled).toBeGreaterThan(0);
    expect(lowest).toBeLessThan(limiter.max);
    expectEachSerialOnce(h, devices.map((d) => d.serial));
  });

  it("survives 503s, 504s and connection resets without submitting any device twice", async () => {
    h = await startHarness(profile.apply({
      seed: 7,
      clock: { speed: 20 },
      processing: { delayMs: 2000, spreadMs: 1000 },
      faults: {
        status503: { rate: 0.1 },
        status503RetryAfter: { rate: 0.1, retryAfterSeconds: 1 },
        status504: { rate: 0.15, tookEffectRatio: 0.5 },
        reset: { rate: 0.15, tookEffectRatio: 0.5 },
      },
    }), 1); // one upload at a time keeps the seeded fault sequence reproducible
    const devices = devicesNamed("FLT", 120);
    const file = writeCsv(h.dir, "faults.csv", devices);
    const reportPath = path.join(h.dir, "faults-report.jsonl");
    const { summary: summary } = await importFiles({ files: [file], client: h.client, limiter: h.limiter, batchSize: 10, reportPath: reportPath, pollPolicy: FAST_POLL, reconcileDelayMs: 50 });
    expect(summary).toMatchObject({ rows: 120, imported: 120, failed: 0, timedOut: 0 });
    const stats = h.emulator.stats();
    expect(stats.faulted.byKind["504"] + stats.faulted.byKind.reset).toBeGreaterThan(0);
    // Some imports were applied and then lost (reconciled, not resent), others lost before being applied (resent).
    const importFaults = stats.faulted.recent.filter((f) => f.method === "POST" && f.path.endsWith("/import") && f.kind !== "503" && f.kind !== "503-retry-after");
    expect(importFaults.some((f) => f.tookEffect)).toBe(true);
    expect(importFaults.some((f) => !f.tookEffect)).toBe(true);
    expectEachSerialOnce(h, devices.map((d) => d.serial));
  });

  it("renews the access token when it expires mid-run", async () => {
    h = await startHarness(profile.apply({
      clock: { speed: 10 },
      // 10 emulated seconds: a token lives one real second, the run takes several.
      auth: { tokenLifetimeSeconds: 10 },
      processing: { delayMs: 15_000, spreadMs: 5_000 },
    }));
    const devices = devicesNamed("TOK", 40);
    const file = writeCsv(h.dir, "token.csv", devices);
    const { summary: summary } = await importFiles({ files: [file], client: h.client, limiter: h.limiter, batchSize: 10, concurrency: 1, pollPolicy: FAST_POLL });
    expect(summary.imported).toBe(40);
    expect(h.emulator.stats().auth.tokensIssued).toBeGreaterThan(1);
    expect(h.client.tokenAcquisitions).toBeGreaterThan(1);
    expectEachSerialOnce(h, devices.map((d) => d.serial));
  });

  it("isolates a poison row the service rejects and imports the rest of its upload", async () => {
    h = await startHarness(profile.apply({ clock: { speed: 20 }, processing: { delayMs: 1000, spreadMs: 500 } }));
    // A library caller can feed rows directly; this one carries a hash the service cannot decode.
    const poison = `${makeHash(300).slice(0, 101)}`;
    const rows: RowResult[] = Array.from({ length: 12 }, (_, i) => ({
      status: "valid",
      location: { file: "api", line: i + 1 },
      device: { serialNumber: `PSN${i}`, hardwareIdentifier: i === 7 ? poison : makeHash() },
    }));
    const report: ImportReportRow[] = [];
    const summary = await importDevices({
      rows: (async function* () {
        yield* rows;
      })(),
      client: h.client,
      limiter: h.limiter,
      batchSize: 6,
      pollPolicy: FAST_POLL,
      onRow: (row) => report.push(row),
    });
    expect(summary).toMatchObject({ rows: 12, imported: 11, failed: 1, submitted: 12 });
    const poisoned = bySerial(report).PSN7;
    expect(poisoned).toMatchObject({ status: "failed", errorName: "BadRequest", line: 8 });
    expect(poisoned?.message).toContain("to the expected type 'Edm.Binary'");
    const stats = h.emulator.stats();
    expect(stats.requests.byRoute["POST /v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities/import"]).toMatchObject({ "200": 2, "400": 1 });
    expectEachSerialOnce(h, rows.filter((_, i) => i !== 7).map((r) => (r.status === "valid" ? r.device.serialNumber : "")));
  });

  it("reports devices still in progress at the poll deadline as timeout", async () => {
    h = await startHarness(profile.apply({
      clock: { speed: 20 },
      processing: { delayMs: 1000, spreadMs: 500 },
      outcomes: { stuckSerials: ["STUCK-1"], partialSerials: ["PART-1"] },
    }));
    const file = writeCsv(h.dir, "deadline.csv", [
      { serial: "DONE-1", hash: makeHash() },
      { serial: "STUCK-1", hash: makeHash() },
      { serial: "PART-1", hash: makeHash() },
    ]);
    const reportPath = path.join(h.dir, "deadline-report.csv");
    const started = Date.now();
    const { summary: summary } = await importFiles({ files: [file], client: h.client, reportPath: reportPath, pollTimeoutMs: 2_000, pollPolicy: FAST_POLL });
    expect(Date.now() - started).toBeLessThan(6_000);
    expect(summary).toMatchObject({ rows: 3, imported: 1, timedOut: 2 });
    const rows = bySerial(readCsvReport(reportPath));
    expect(rows["DONE-1"]?.status).toBe("imported");
    expect(rows["STUCK-1"]).toMatchObject({ status: "timeout", errorName: "unknown", message: expect.stringMatching(/^still unknown after 2 s/) });
    expect(rows["PART-1"]).toMatchObject({ status: "timeout", errorName: "partial", message: "partial at deadline" });
  });

  it("submits through the beta uploads resource with --api upload, even with resets", async () => {
    h = await startHarness(profile.apply({
      seed: 3,
      clock: { speed: 20 },
      processing: { delayMs: 1000, spreadMs: 500 },
      faults: { reset: { rate: 0.5, tookEffectRatio: 0.5 } },
    }), 1); // one upload at a time keeps the seeded fault sequence reproducible
    const devices = devicesNamed("UPL", 30);
    const file = writeCsv(h.dir, "uploads.csv", devices);
    const report: ImportReportRow[] = [];
    const { summary: summary } = await importFiles({ files: [file], client: h.client, api: "upload", batchSize: 5, limiter: h.limiter, pollPolicy: FAST_POLL, onRow: (r) => report.push(r) });
    expect(summary).toMatchObject({ rows: 30, imported: 30, uploads: 6 });
    const stats = h.emulator.stats();
    expect(stats.uploads.created).toBeGreaterThanOrEqual(6);
    // Which request a reset lands on depends on how polls interleave (timing): any on the uploads resource counts.
    expect(stats.faulted.recent.some((f) => f.kind === "reset" && f.path.includes("/importedWindowsAutopilotDeviceIdentityUploads"))).toBe(true);
    const uploadIds = new Set(report.map((r) => r.uploadId));
    expect(uploadIds.size).toBe(6);
    expectEachSerialOnce(h, devices.map((d) => d.serial));
  });

  it("explains that --api upload needs the retired uploads resource when the service lacks it", async () => {
    h = await startHarness(profile.apply({ tenant: { uploadsEnabled: false } }));
    const file = writeCsv(h.dir, "no-uploads.csv", devicesNamed("NOU", 2));
    await expect(importFiles({ files: [file], client: h.client, api: "upload", pollPolicy: FAST_POLL })).rejects.toThrow(
      /does not offer the beta uploads resource; use --api import/,
    );
    expect(h.emulator.stats().submissions.total).toBe(0);
  });
});
