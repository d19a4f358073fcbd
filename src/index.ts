/** Library entry point: the CLI is a thin shell over these. */
export * from "./errors.js";
export * from "./model/device.js";
export {
  startEmulator,
  loadScenarioFile as loadEmulatorScenarioFile,
  parseScenario as parseEmulatorScenario,
  ScenarioError as EmulatorScenarioError,
} from "./emulator/index.js";
export type {
  EmulatorHandle,
  StartEmulatorOptions,
  EmulatorStats,
  FaultRecord as EmulatorFaultRecord,
  RegisteredDeviceInput as EmulatorRegisteredDevice,
  Scenario as EmulatorScenario,
  ScenarioInput as EmulatorScenarioInput,
} from "./emulator/index.js";
