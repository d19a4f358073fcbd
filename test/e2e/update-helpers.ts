/** Shared by the `update` end-to-end suites: a seeded emulator with the CLI's sign-in, CSV files written and read back. */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startEmulator, type EmulatorHandle, type ScenarioInput } from "../../src/emulator/index.js";

export interface Tenant {
  readonly emulator: EmulatorHandle;
  readonly dir: string;
  readonly env: Record<string, string>;
  /** Sign-in and logging: what every Graph command takes. */
  readonly flags: string[];
}

/** `update …` with the tenant's sign-in and a state directory in the test's folder. */
export function updateArgs(t: Tenant, args: readonly string[]): string[] {
  return ["update", ...args, ...t.flags, "--state-dir", path.join(t.dir, "state")];
}

export async function startTenant(scenario: ScenarioInput): Promise<Tenant> {
  const emulator = await startEmulator({ scenario: { clock: { speed: 100 }, ...scenario } });
  const dir = mkdtempSync(path.join(tmpdir(), "autopilot-update-"));
  return {
    emulator,
    dir,
    env: { AZURE_TENANT_ID: emulator.tenantId, AZURE_CLIENT_ID: emulator.clientId, AZURE_CLIENT_SECRET: emulator.clientSecret },
    flags: ["--graph-url", emulator.graphUrl, "--authority-host", emulator.authorityHost, "--ca-cert", emulator.caCertPath, "--log-level", "warn"],
  };
}

/** A CSV of simple cells (no separators, quotes or line breaks inside a cell): the seeded tenants hold none. */
export function readSimpleCsv(file: string): string[][] {
  return readFileSync(file, "utf8").replace(/^\uFEFF/, "").split(/\r?\n/).filter((line) => line !== "").map((line) => line.split(","));
}

/** Written as Excel saves a CSV: UTF-8 with a BOM, CRLF. */
export function writeCsv(file: string, rows: readonly (readonly string[])[]): void {
  writeFileSync(file, `\uFEFF${rows.map((row) => row.join(",")).join("\r\n")}\r\n`);
}

/** The report as objects by header (a CSV report of simple cells). */
export function readReport(file: string): Array<Record<string, string>> {
  const [header, ...rows] = readFileSync(file, "utf8").replace(/^\uFEFF/, "").split("\r\n").filter((line) => line !== "").map(parseCsvLine);
  return rows.map((row) => Object.fromEntries((header ?? []).map((name, i) => [name, row[i] ?? ""])));
}

/** One CSV line, quotes honoured (report messages hold commas). */
function parseCsvLine(line: string): string[] {
  const cells: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted && c === '"' && line[i + 1] === '"') {
      cell += '"';
      i++;
    } else if (c === '"') quoted = !quoted;
    else if (c === "," && !quoted) {
      cells.push(cell);
      cell = "";
    } else cell += c;
  }
  cells.push(cell);
  return cells;
}

/** The sum of updateDeviceProperties the emulator accepted, and per device. */
export function updatesById(emulator: EmulatorHandle): Readonly<Record<string, number>> {
  return emulator.stats().devices.updatesAcceptedById;
}
