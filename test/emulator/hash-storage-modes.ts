/** The emulator's two ways of keeping hardware hashes (scenario limits.hashStorage): hash-related suites run under both. */
import type { ScenarioInput } from "../../src/emulator/index.js";
import { QUIET, startClient, type TestClient } from "../support/emulator-client.js";

export const HASH_STORAGES = ["full", "digest"] as const;
export type HashStorageMode = (typeof HASH_STORAGES)[number];

/** startClient with `limits.hashStorage` set to `mode` on top of whatever scenario the test asks for. */
export const clientFor =
  (mode: HashStorageMode) =>
  (scenario: ScenarioInput = QUIET): Promise<TestClient> =>
    startClient({ ...scenario, limits: { ...scenario.limits, hashStorage: mode } });
