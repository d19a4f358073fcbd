/** importDevices over the in-memory service with a virtual clock: rows in, summary and sorted report out. */
import { importDevices, type ImportDevicesOptions } from "../../../src/pipeline/import-devices.js";
import type { RowResult } from "../../../src/model/device.js";
import type { ImportReportRow } from "../../../src/pipeline/types.js";
import { FakeClock, FakeService, type FakeServiceOptions } from "./fake-service.js";

export function validRow(i: number): RowResult {
  return {
    status: "valid",
    location: { file: "devices.csv", line: i + 2 },
    device: { serialNumber: `SN${String(i).padStart(4, "0")}`, hardwareIdentifier: `HASH${i}==` },
  };
}

export async function* rowsOf(list: RowResult[]): AsyncIterable<RowResult> {
  for (const row of list) yield row;
}

export async function run(rows: RowResult[], serviceOptions: FakeServiceOptions = {}, options: Partial<ImportDevicesOptions> = {}) {
  const clock = new FakeClock();
  const service = new FakeService(clock, serviceOptions);
  const report: ImportReportRow[] = [];
  let ids = 0;
  const summary = await importDevices({
    rows: rowsOf(rows),
    stagedApi: service,
    batchSize: 4,
    concurrency: 2,
    pollTimeoutMs: 60_000,
    now: clock.now,
    sleep: clock.sleep,
    newId: () => `upload-${++ids}`,
    reconcileDelayMs: 100,
    onRow: (row) => report.push(row),
    ...options,
  });
  report.sort((a, b) => a.line - b.line);
  return { summary, report, service, clock };
}

export const bySerial = (report: ImportReportRow[]) => Object.fromEntries(report.map((r) => [r.serialNumber, r]));
