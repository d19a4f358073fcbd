/** The migrate end-to-end tests' bed: one emulator holding two tenants (A, the first; B), a working directory, the built CLI. */
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect } from "vitest";
import { startEmulator, type EmulatorHandle, type ScenarioInput, type TenantHandle } from "../../src/emulator/index.js";
import { BIN, runCli, startCli, type CliResult, type RunningCli } from "../support/cli-process.js";

export const B_TENANT = "b0b0b0b0-1111-4222-8333-444455556666";
const REGISTERED = "/deviceManagement/windowsAutopilotDeviceIdentities/";

export interface MigrateBed {
  readonly emulator: EmulatorHandle;
  readonly a: TenantHandle;
  readonly b: TenantHandle;
  readonly dir: string;
  /** DELETEs of Autopilot records seen per device id ($batch items included; ids are unique across tenants). */
  readonly deletes: Map<string, number>;
  /** Each side with its own app: client ids by flag, secrets from the per-side variables. */
  readonly env: Record<string, string>;
  readonly sides: readonly string[];
  migrate(args: readonly string[]): Promise<CliResult>;
  startMigrate(args: readonly string[]): RunningCli;
  /** `import` into tenant A with A's app. */
  importIntoA(args: readonly string[]): Promise<CliResult>;
  jsonl<T>(name: string): T[];
  close(): Promise<void>;
}

export interface MigrateRow {
  readonly file: string;
  readonly line: number;
  readonly serialNumber: string;
  readonly status: string;
  readonly fromStatus: string;
  readonly fromMessage: string;
  readonly toStatus: string;
  readonly toErrorCode: string;
  readonly toMessage: string;
}

export async function startMigrateBed(scenario: ScenarioInput): Promise<MigrateBed> {
  expect(existsSync(BIN), "run `npm run build` before the CLI tests").toBe(true);
  const deletes = new Map<string, number>();
  const emulator = await startEmulator({
    scenario: { ...scenario, tenants: [{ tenantId: B_TENANT }] },
    onGraphRequest: (request) => {
      if (request.method === "DELETE" && request.path.startsWith(REGISTERED)) {
        const id = request.path.slice(REGISTERED.length);
        deletes.set(id, (deletes.get(id) ?? 0) + 1);
      }
    },
  });
  const [a, b] = [emulator.tenants[0]!, emulator.tenant(B_TENANT)];
  const dir = mkdtempSync(path.join(tmpdir(), "autopilot-migrate-"));
  const connection = { AUTOPILOT_IMPORT_GRAPH_URL: emulator.graphUrl, AUTOPILOT_IMPORT_AUTHORITY_HOST: emulator.authorityHost, AUTOPILOT_IMPORT_CA_CERT: emulator.caCertPath };
  const env = { ...connection, AUTOPILOT_IMPORT_FROM_CLIENT_SECRET: a.clientSecret, AUTOPILOT_IMPORT_TO_CLIENT_SECRET: b.clientSecret };
  const sides = ["--from-tenant", a.tenantId, "--from-client-id", a.clientId, "--to-tenant", B_TENANT, "--to-client-id", b.clientId];
  const words = (args: readonly string[]): string[] => ["migrate", ...args, ...sides, "--log-level", "error"];
  return {
    emulator,
    a,
    b,
    dir,
    deletes,
    env,
    sides,
    migrate: (args) => runCli(words(args), { env, cwd: dir }),
    startMigrate: (args) => startCli(words(args), { env, cwd: dir }),
    importIntoA: (args) =>
      runCli(["import", ...args, "--log-level", "error"], { env: { ...connection, AZURE_TENANT_ID: a.tenantId, AZURE_CLIENT_ID: a.clientId, AZURE_CLIENT_SECRET: a.clientSecret }, cwd: dir }),
    jsonl: <T>(name: string) =>
      readFileSync(path.join(dir, name), "utf8")
        .split("\n")
        .filter((line) => line.trim() !== "")
        .map((line) => JSON.parse(line) as T),
    close: () => emulator.close(),
  };
}

/** Serials registered in a tenant (lingering deletions included). */
export const serialsIn = (tenant: TenantHandle): string[] => tenant.devices().registered.map((device) => device.serialNumber).sort();

/** Manual syncs a tenant accepted. */
export const syncsIn = (tenant: TenantHandle): number => tenant.stats().sync.triggered;
