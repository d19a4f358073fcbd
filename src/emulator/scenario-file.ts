import { readFile } from "node:fs/promises";
import { ScenarioError, parseScenario, type Scenario } from "./scenario.js";

/** Reads and validates a scenario file; every failure is one readable ScenarioError naming the file. */
export async function loadScenarioFile(path: string): Promise<Scenario> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new ScenarioError(`cannot read scenario file '${path}': ${(error as NodeJS.ErrnoException).code ?? String(error)}`, {
      cause: error,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (error) {
    throw new ScenarioError(`scenario file '${path}' is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  try {
    return parseScenario(json);
  } catch (error) {
    if (error instanceof ScenarioError) throw new ScenarioError(`scenario file '${path}': ${error.message}`, { cause: error });
    throw error;
  }
}
