/** End-to-end harness: the real emulator over HTTPS, the real Graph client and credential, real CSV files. */
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parse } from "csv-parse/sync";
import { emulatorGraphConfig, startEmulator, type EmulatorHandle, type ScenarioInput } from "../../src/emulator/index.js";
import { AdaptiveLimiter } from "../../src/graph/adaptive-limit.js";
import type { GraphClient } from "../../src/graph/client.js";
import { createGraphClient } from "../../src/graph/create.js";
import type { ImportReportRow } from "../../src/pipeline/types.js";

export interface Harness {
  readonly emulator: EmulatorHandle;
  readonly client: GraphClient;
  readonly limiter: AdaptiveLimiter;
  readonly dir: string;
  close(): Promise<void>;
}

/** Starts an emulator with `scenario` and a Graph client authenticated by ClientSecretCredential against it. */
export async function startHarness(scenario: ScenarioInput, concurrency = 4): Promise<Harness> {
  const emulator = await startEmulator({ scenario });
  const limiter = new AdaptiveLimiter({ max: concurrency });
  const client = createGraphClient(
    {
      ...emulatorGraphConfig(emulator),
      // Keep the fault tests quick (the emulator answers at once, so short backoff waits suffice) and let requests
      // outlast the tests' extreme fault rates.
      retry: { baseDelayMs: 50, maxDelayMs: 500, maxAttempts: 8 },
    },
    { throttleObserver: limiter },
  );
  const dir = mkdtempSync(path.join(tmpdir(), "autopilot-import-e2e-"));
  return {
    emulator,
    client,
    limiter,
    dir,
    async close() {
      client.close();
      await emulator.close();
    },
  };
}

/** A realistic hash: padded base64 of random bytes (a few hundred, to keep tests light). */
export function makeHash(bytes = 300): string {
  return randomBytes(bytes).toString("base64");
}

export interface CsvDevice {
  readonly serial: string;
  readonly hash: string;
  readonly groupTag?: string;
}

/** Writes an admin-center style CSV; returns its path. Line n+1 holds device n (line 1 is the header). */
export function writeCsv(dir: string, name: string, devices: readonly CsvDevice[]): string {
  const lines = ["Device Serial Number,Windows Product ID,Hardware Hash,Group Tag", ...devices.map((d) => `${d.serial},,${d.hash},${d.groupTag ?? ""}`)];
  const file = path.join(dir, name);
  writeFileSync(file, `${lines.join("\r\n")}\r\n`);
  return file;
}

export function devicesNamed(prefix: string, count: number): CsvDevice[] {
  return Array.from({ length: count }, (_, i) => ({ serial: `${prefix}${String(i).padStart(5, "0")}`, hash: makeHash() }));
}

/** Reads a CSV report back as rows. */
export function readCsvReport(file: string): Array<Record<keyof ImportReportRow, string>> {
  return parse(readFileSync(file), { columns: true, skip_empty_lines: true }) as Array<Record<keyof ImportReportRow, string>>;
}

/** Report rows by serial number. */
export function bySerial<T extends { serialNumber: string }>(rows: readonly T[]): Record<string, T> {
  return Object.fromEntries(rows.map((row) => [row.serialNumber, row]));
}

/** Fast polling for tests against a fast-clock emulator. */
export const FAST_POLL = { minMs: 100, maxMs: 400, factor: 1.5, msPerUnit: 0 } as const;
