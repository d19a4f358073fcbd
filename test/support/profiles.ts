/**
 * The two answers the end-to-end suite runs under (README: "Where Microsoft's docs are silent"): the emulator's
 * defaults, and the pessimistic profile, where every undocumented behaviour is answered the bad way.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { ScenarioInput } from "../../src/emulator/index.js";

const PESSIMISTIC_FILE = fileURLToPath(new URL("../../fixtures/scenarios/pessimistic.json", import.meta.url));

/** fixtures/scenarios/pessimistic.json as written (every field optional). */
export const PESSIMISTIC: ScenarioInput = JSON.parse(readFileSync(PESSIMISTIC_FILE, "utf8")) as ScenarioInput;

export interface Profile {
  readonly name: "default" | "pessimistic";
  /** The test's own scenario under this profile's answers. */
  apply(scenario: ScenarioInput): ScenarioInput;
}

/**
 * The pessimistic answers on the test's own time scale: the profile's service section, and a pending phase, a spread
 * and a registration lag as long as the test's processing delay (the profile's minutes at full length are exercised
 * by test/e2e/pessimistic-profile.test.ts).
 */
function pessimistic(scenario: ScenarioInput): ScenarioInput {
  const processing = scenario.processing ?? {};
  const delayMs = processing.delayMs ?? 3000;
  return {
    ...scenario,
    service: { ...PESSIMISTIC.service, ...scenario.service },
    processing: {
      ...processing,
      pendingPhase: true,
      pendingMs: processing.pendingMs ?? Math.round(delayMs / 2),
      spreadMs: Math.max(processing.spreadMs ?? 2000, delayMs),
      registrationLagMs: Math.max(processing.registrationLagMs ?? 0, delayMs),
      // Deletions linger and updates lag at least as long as a device takes to process.
      deletionLingerMs: Math.max(processing.deletionLingerMs ?? 0, delayMs),
      updateLagMs: Math.max(processing.updateLagMs ?? 0, delayMs),
    },
    // Entra's device object shows as late as a device takes to process.
    directory: { ...scenario.directory, deviceLagMs: Math.max(scenario.directory?.deviceLagMs ?? 0, delayMs) },
  };
}

export const PROFILES: readonly Profile[] = [
  { name: "default", apply: (scenario) => scenario },
  { name: "pessimistic", apply: pessimistic },
];
