import { describe, expect, it } from "vitest";
import { importDevices } from "../../src/pipeline/import-devices.js";
import type { RowResult } from "../../src/model/device.js";
import type { ImportReportRow } from "../../src/pipeline/types.js";
import { FakeClock, FakeService } from "./helpers/fake-service.js";
import { bySerial, rowsOf, run, validRow } from "./helpers/in-memory-run.js";

describe("importDevices (in-memory service)", () => {
  it("reports every row with its outcome and keeps the counts consistent", async () => {
    const rows: RowResult[] = [
      ...Array.from({ length: 10 }, (_, i) => validRow(i)),
      { status: "invalid", location: { file: "devices.csv", line: 12 }, serialNumber: "BAD1", code: "hash_not_base64", message: "Hardware Hash is not valid base64" },
      {
        status: "duplicate",
        location: { file: "devices.csv", line: 13 },
        serialNumber: "SN0001",
        code: "duplicate_serial",
        message: "Device Serial Number 'SN0001' already appears on line 3; only the first is used",
        firstSeen: { file: "devices.csv", line: 3 },
      },
    ];
    const { summary, report, service } = await run(rows, {
      alreadyRegistered: ["SN0002"],
      otherTenant: ["SN0003"],
      stuck: ["SN0004"],
      partial: ["SN0005"],
    });
    expect(summary).toMatchObject({
      rows: 12,
      valid: 10,
      invalid: 1,
      duplicates: 1,
      submitted: 10,
      imported: 6,
      alreadyRegistered: 1,
      failed: 1,
      timedOut: 2,
      uploads: 3,
    });
    expect(summary.requests).toBe(service.requests);
    const r = bySerial(report);
    expect(report).toHaveLength(12);
    expect(r.SN0000).toMatchObject({ status: "imported", uploadId: "upload-1", deviceRegistrationId: expect.stringMatching(/^reg-/) });
    expect(r.SN0002).toMatchObject({ status: "already_registered", errorCode: "806" });
    expect(r.SN0003).toMatchObject({ status: "failed", errorCode: "808", errorName: "ZtdDeviceAssignedToOtherTenant" });
    expect(r.SN0004).toMatchObject({ status: "timeout", errorName: "unknown", message: expect.stringMatching(/^still unknown after 1 min/) });
    expect(r.SN0005).toMatchObject({ status: "timeout", message: "partial at deadline" });
    expect(r.BAD1).toMatchObject({ status: "invalid", errorCode: "hash_not_base64", errorName: "hash_not_base64", line: 12, message: "Hardware Hash is not valid base64; not submitted" });
    // The reader's sentence names the first line once; the report does not repeat it.
    expect(report.find((row) => row.line === 13)).toMatchObject({
      status: "duplicate",
      errorCode: "duplicate_serial",
      message: "Device Serial Number 'SN0001' already appears on line 3; only the first is used",
    });
    // Every row has a message, and every row not imported a code.
    for (const row of report) expect(row.message, row.serialNumber).not.toBe("");
    for (const row of report) if (row.status !== "imported" && row.status !== "timeout") expect(row.errorCode, row.serialNumber).not.toBe("");
    expect(r.SN0000).toMatchObject({ message: "imported", groupTag: "", assignedUser: "" });
    expect([...service.submittedTimes.values()].every((n) => n === 1)).toBe(true);
  });

  it("isolates a poison row named by the service and imports the rest of its upload", async () => {
    const rows = Array.from({ length: 8 }, (_, i) => validRow(i));
    const { summary, report, service } = await run(rows, { poisonHashes: ["HASH5=="] });
    expect(summary).toMatchObject({ imported: 7, failed: 1 });
    expect(bySerial(report).SN0005).toMatchObject({
      status: "failed",
      errorName: "BadRequest",
      message: expect.stringContaining("Cannot convert the literal 'HASH5==' to the expected type 'Edm.Binary'"),
    });
    expect(service.calls.filter((c) => c.kind === "submit").map((c) => c.size)).toEqual([4, 4, 3]);
  });

  it("bisects to find a poison row the message does not name", async () => {
    const rows = Array.from({ length: 8 }, (_, i) => validRow(i));
    const { summary, report, service } = await run(rows, { poisonHashes: ["HASH6=="], nameLiteral: false }, { batchSize: 8 });
    expect(summary).toMatchObject({ imported: 7, failed: 1 });
    expect(bySerial(report).SN0006?.status).toBe("failed");
    expect(service.calls.filter((c) => c.kind === "submit").map((c) => c.size)).toEqual([8, 4, 4, 2, 2, 1, 1]);
    expect([...service.submittedTimes.keys()].sort()).toEqual(rows.map((r) => (r.status === "valid" ? r.device.serialNumber : "")).filter((s) => s !== "SN0006"));
  });

  it("reconciles an unknown outcome instead of resending what was staged", async () => {
    const rows = Array.from({ length: 8 }, (_, i) => validRow(i));
    const { summary, service } = await run(rows, { unknownOutcomes: ["appliedThenLost", "lost"] });
    expect(summary).toMatchObject({ imported: 8, submitted: 8 });
    expect([...service.submittedTimes.values()]).toEqual(Array(8).fill(1));
    expect(service.calls.filter((c) => c.kind === "list" && c.filter?.startsWith("importId eq")).length).toBeGreaterThanOrEqual(2);
  });

  it("looks again when the reconciliation's own lookup fails for a while, and gives up only after a few rounds", async () => {
    const rows = Array.from({ length: 6 }, (_, i) => validRow(i));
    // The lost answer's lookup meets two failed listings (the client's retries already spent): tried again, not fatal.
    const { summary, service } = await run(rows, { unknownOutcomes: ["appliedThenLost"], failingListsAfterLostAnswer: 2 });
    expect(summary).toMatchObject({ imported: 6, submitted: 6 });
    expect([...service.submittedTimes.values()]).toEqual(Array(6).fill(1));
    // A service that keeps failing ends the run with its error, nothing resent blindly.
    await expect(run(rows, { unknownOutcomes: ["appliedThenLost"], failingListsAfterLostAnswer: 100 })).rejects.toThrow(/503/);
  });

  it("falls back to serial lookups when the service cannot filter by importId", async () => {
    const rows = Array.from({ length: 4 }, (_, i) => validRow(i));
    const { summary, service } = await run(rows, { unknownOutcomes: ["appliedThenLost"], importIdFilter: false, foreignRecords: 5_000 });
    expect(summary).toMatchObject({ imported: 4 });
    expect([...service.submittedTimes.values()]).toEqual([1, 1, 1, 1]);
    expect(service.calls.filter((c) => c.filter?.startsWith("contains(serialNumber,")).length).toBe(4);
  });

  it("keeps at most concurrency + 1 uploads of rows in memory", async () => {
    const clock = new FakeClock();
    const service = new FakeService(clock, {});
    let resolveGate: () => void = () => {};
    let gate = new Promise<void>((resolve) => (resolveGate = resolve));
    const original = service.submit.bind(service);
    let settled = 0;
    service.submit = async (upload, devices) => {
      await gate;
      const result = await original(upload, devices);
      settled += devices.length;
      return result;
    };
    let read = 0;
    let maxAhead = 0;
    async function* source(): AsyncIterable<RowResult> {
      for (let i = 0; i < 100; i++) {
        maxAhead = Math.max(maxAhead, read - settled);
        read += 1;
        yield validRow(i);
        if (i % 7 === 0) {
          resolveGate();
          gate = new Promise<void>((resolve) => (resolveGate = resolve));
        }
      }
      resolveGate();
      gate = Promise.resolve();
    }
    const summary = await importDevices({
      rows: source(),
      stagedApi: service,
      batchSize: 5,
      concurrency: 2,
      now: clock.now,
      sleep: clock.sleep,
    });
    expect(summary.imported).toBe(100);
    expect(maxAhead).toBeLessThanOrEqual((2 + 1) * 5);
  });

  it("polls by listing or by importId rather than per device", async () => {
    const rows = Array.from({ length: 400 }, (_, i) => validRow(i));
    const { summary, service } = await run(rows, { processingMs: 20_000 }, { batchSize: 100, concurrency: 4 });
    expect(summary.imported).toBe(400);
    expect(service.calls.some((c) => c.kind === "get")).toBe(false);
    expect(summary.requests / summary.rows).toBeLessThan(0.05);
  });

  it("stops and rethrows on a fatal error, flushing the report", async () => {
    const clock = new FakeClock();
    const service = new FakeService(clock, {});
    service.submit = async () => {
      throw new Error("boom");
    };
    let closed = false;
    const written: ImportReportRow[] = [];
    await expect(
      importDevices({
        rows: rowsOf([...Array.from({ length: 3 }, (_, i) => validRow(i)), { status: "invalid", location: { file: "f", line: 9 }, serialNumber: "X", code: "c", message: "m" }]),
        stagedApi: service,
        batchSize: 1,
        now: clock.now,
        sleep: clock.sleep,
        report: { write: (row) => void written.push(row), close: async () => void (closed = true) },
      }),
    ).rejects.toThrow("boom");
    expect(closed).toBe(true);
  });
});
