/** The real emulator and Graph client (real credential, HTTPS), with every request body the emulator reads kept. */
import { emulatorGraphConfig, startEmulator, type EmulatorHandle, type ObservedGraphRequest, type ScenarioInput } from "../../src/emulator/index.js";
import type { GraphClient } from "../../src/graph/client.js";
import { createGraphClient } from "../../src/graph/create.js";

export interface ObservedHarness {
  readonly emulator: EmulatorHandle;
  readonly client: GraphClient;
  /** Every Graph request in arrival order, $batch items after their envelope. */
  readonly requests: ObservedGraphRequest[];
  /** The emulator's clock for the pipeline and the after-import steps: waiting moves it instead of real time. */
  readonly runtime: { now(): number; sleep(ms: number, signal?: AbortSignal): Promise<void> };
  close(): Promise<void>;
}

export async function startObservedHarness(scenario: ScenarioInput): Promise<ObservedHarness> {
  const requests: ObservedGraphRequest[] = [];
  const emulator = await startEmulator({ scenario: { throttling: { enabled: false }, ...scenario }, onGraphRequest: (request) => requests.push(request) });
  const client = createGraphClient(emulatorGraphConfig(emulator));
  return {
    emulator,
    client,
    requests,
    runtime: {
      now: () => emulator.clock.now().getTime(),
      sleep: async (ms, signal) => {
        signal?.throwIfAborted();
        emulator.clock.advance(ms);
      },
    },
    async close() {
      client.close();
      await emulator.close();
    },
  };
}
