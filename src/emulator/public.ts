/**
 * `autopilot-import/emulator`: the local Microsoft Graph + Entra ID emulator, for trying the tool and testing scripts
 * without a tenant. Kept out of the root entry point: a script that imports devices does not need a fake Graph.
 *
 *   const emulator = await startEmulator();               // HTTPS on a free loopback port
 *   const client = createGraphClient(emulatorGraphConfig(emulator));
 *   …
 *   await emulator.close();
 */
export { startEmulator, type EmulatorHandle, type StartEmulatorOptions } from "./index.js";
export { emulatorEnv, emulatorGraphConfig } from "./client-config.js";
export { loadScenarioFile } from "./scenario-file.js";
export { parseScenario, ScenarioError, type RegisteredDeviceInput, type Scenario, type ScenarioInput } from "./scenario.js";
export type { EmulatorStats, FaultRecord } from "./stats.js";
