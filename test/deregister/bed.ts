/** The deregister end-to-end tests' bed: one emulator that records every DELETE, a working directory, the built CLI. */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect } from "vitest";
import { emulatorEnv, startEmulator, type EmulatorHandle, type ScenarioInput } from "../../src/emulator/index.js";
import { BIN, runCli, type CliResult } from "../support/cli-process.js";

export const REGISTERED = "/deviceManagement/windowsAutopilotDeviceIdentities/";
export const MANAGED = "/deviceManagement/managedDevices/";

export interface ReportLine {
  readonly file: string;
  readonly line: number;
  readonly serialNumber: string;
  readonly status: string;
  readonly autopilotDeviceId: string;
  readonly intuneDeviceIdDeleted: string;
  readonly message: string;
}

export interface DeregisterBed {
  readonly emulator: EmulatorHandle;
  readonly dir: string;
  /** DELETE requests seen per path ($batch items included), throttled ones too. */
  readonly deletes: Map<string, number>;
  run(args: readonly string[], env?: Record<string, string>): Promise<CliResult>;
  list(name: string, serials: readonly string[]): string;
  report(name: string): ReportLine[];
  close(): Promise<void>;
}

/** One emulator (clock 100× real time) and a working directory; the CLI runs with its state and reports in there. */
export async function startBed(scenario: ScenarioInput): Promise<DeregisterBed> {
  expect(existsSync(BIN), "run `npm run build` before the CLI tests").toBe(true);
  const deletes = new Map<string, number>();
  const emulator = await startEmulator({
    scenario,
    onGraphRequest: (request) => {
      if (request.method === "DELETE") deletes.set(request.path, (deletes.get(request.path) ?? 0) + 1);
    },
  });
  const dir = mkdtempSync(path.join(tmpdir(), "autopilot-deregister-"));
  return {
    emulator,
    dir,
    deletes,
    run: (args, env = {}) => runCli(["deregister", ...args, "--log-level", "error"], { env: { ...emulatorEnv(emulator), ...env }, cwd: dir }),
    list(name, serials) {
      const file = path.join(dir, name);
      writeFileSync(file, `Device Serial Number,Group Tag\r\n${serials.map((serial) => `${serial},Tag`).join("\r\n")}\r\n`);
      return file;
    },
    report: (name) =>
      readFileSync(path.join(dir, name), "utf8")
        .split("\n")
        .filter((line) => line.trim() !== "")
        .map((line) => JSON.parse(line) as ReportLine),
    close: () => emulator.close(),
  };
}

/** Serials still registered in the emulator (lingering deletions included). */
export function registeredSerials(emulator: EmulatorHandle, prefix: string): string[] {
  return emulator
    .devices()
    .registered.map((device) => device.serialNumber)
    .filter((serial) => serial.toUpperCase().startsWith(prefix.toUpperCase()))
    .sort();
}

/** DELETEs the emulator saw for one Autopilot record. */
export const autopilotDeletes = (bed: DeregisterBed, id: string): number => bed.deletes.get(`${REGISTERED}${id}`) ?? 0;

