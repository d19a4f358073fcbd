/** End-to-end harness: the real emulator over HTTPS, the real Graph client and credential, real CSV files. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { emulatorGraphConfig, startEmulator, type EmulatorHandle, type ScenarioInput } from "../../src/emulator/index.js";
import { AdaptiveLimiter } from "../../src/graph/adaptive-limit.js";
import type { GraphClient } from "../../src/graph/client.js";
import { createGraphClient } from "../../src/graph/create.js";

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
