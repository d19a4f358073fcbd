/**
 * The real emulator over HTTPS with the real credential and Graph client, on the emulator's clock: for the after-import
 * steps, journaled imports and the CLI's Graph commands.
 */
import { emulatorGraphConfig, startEmulator, type EmulatorHandle, type ScenarioInput } from "../../src/emulator/index.js";
import type { Sleep } from "../../src/util/abort.js";
import type { GraphClient } from "../../src/graph/client.js";
import type { ImportedDeviceIdentity } from "../../src/graph/resources.js";
import { createGraphClient } from "../../src/graph/create.js";
import type { RetryOptions } from "../../src/graph/retry/policy.js";

export interface AfterHarness {
  readonly emulator: EmulatorHandle;
  readonly client: GraphClient;
  /** The emulator's clock, as epoch ms. */
  readonly now: () => number;
  /** Waiting moves the emulator's clock forward instead of the test's (and runs what fell due). */
  readonly sleep: Sleep;
  /** Every wait asked for, in order. */
  readonly waits: number[];
  close(): Promise<void>;
}

/** Fast polling for tests against a fast-clock emulator. */
export const FAST_POLL = { minMs: 100, maxMs: 400, factor: 1.5, msPerUnit: 0 } as const;

export async function startAfterHarness(scenario: ScenarioInput = {}, retry?: Partial<RetryOptions>): Promise<AfterHarness> {
  const emulator = await startEmulator({ scenario: { throttling: { enabled: false }, ...scenario } });
  const client = createGraphClient({
    ...emulatorGraphConfig(emulator),
    ...(retry ? { retry } : {}),
  });
  const waits: number[] = [];
  return {
    emulator,
    client,
    now: () => emulator.clock.now().getTime(),
    waits,
    sleep: async (ms, signal) => {
      signal.throwIfAborted();
      waits.push(ms);
      emulator.clock.advance(ms);
    },
    async close() {
      client.close();
      await emulator.close();
    },
  };
}

/** The harness's clock and sleep as the pipeline and the after-import steps take them (their sleep's signal is optional). */
export function harnessRuntime(h: AfterHarness): { now: () => number; sleep: (ms: number, signal?: AbortSignal) => Promise<void> } {
  return { now: h.now, sleep: (ms, signal) => h.sleep(ms, signal ?? new AbortController().signal) };
}

/** Requests the emulator answered on one route, by status. */
export function routeCounts(emulator: EmulatorHandle, route: string): Record<string, number> {
  return emulator.stats().requests.byRoute[route] ?? {};
}

export const BATCH_ROUTE = "POST /v1.0/$batch";
export const SYNC_ROUTE = "POST /beta/deviceManagement/windowsAutopilotSettings/sync";
export const SETTINGS_ROUTE = "GET /beta/deviceManagement/windowsAutopilotSettings";
export const UPDATE_ROUTE = "POST /v1.0/deviceManagement/windowsAutopilotDeviceIdentities/{id}/updateDeviceProperties";
export const LIST_ROUTE = "GET /v1.0/deviceManagement/windowsAutopilotDeviceIdentities";
export const GET_ROUTE = "GET /v1.0/deviceManagement/windowsAutopilotDeviceIdentities/{id}";

/** Stages devices through the import action and lets the emulator process them; returns the staged records. */
export async function stageDevices(h: AfterHarness, serials: readonly string[]): Promise<ImportedDeviceIdentity[]> {
  await h.client.request({
    method: "POST",
    path: "/deviceManagement/importedWindowsAutopilotDeviceIdentities/import",
    body: {
      importedWindowsAutopilotDeviceIdentities: serials.map((serialNumber) => ({
        serialNumber,
        hardwareIdentifier: Buffer.from(`hash-${serialNumber}`).toString("base64"),
      })),
    },
  });
  h.emulator.clock.advance(1); // processing is due at once (delayMs 0): run it
  const staged = h.emulator.devices().staged;
  return serials.map((serial) => staged.find((record) => record.serialNumber === serial)!);
}
