/** The `cleanup` command's options and configuration: the state directory, which run, how long, the write budget. */
import path from "node:path";
import { z } from "zod";
import type { WriteLimit } from "../../after/write-pacer.js";
import { DEFAULT_STATE_DIR } from "../../state/state-dir.js";
import { graphCommandConfig, graphOptions, graphParsing, type GraphCommandConfig } from "../options/graph.js";
import { cleanupOptions, stateOptions } from "../options/import.js";
import { envTable, switchOption, valueOption } from "../options/option.js";
import { parseOptions, type Env } from "../options/parse.js";
import { durationText } from "../options/values.js";

export const cleanupCommandOptions = {
  "state-dir": { ...stateOptions["state-dir"], help: "the state directory (default ./.autopilot-import)" },
  run: valueOption({
    arg: "ID",
    env: [],
    schema: z.string().regex(/^[0-9a-f]{16}$/, "expected a run key: 16 hex digits, as autopilot-import status shows it"),
    help: "only this run (its key, as autopilot-import status shows it)",
  }),
  "max-time": valueOption({
    arg: "DURATION",
    env: ["AUTOPILOT_IMPORT_CLEANUP_MAX_TIME"],
    schema: durationText(true),
    help: "stop after this long, e.g. 10m, 1h (default: until everything is deleted); what is left stays journaled for the next cleanup",
  }),
  "write-limit": { ...cleanupOptions["write-limit"], help: "the app's write budget deletes are paced by (default 100/20s); a 429 is honoured (Retry-After) and slows them further" },
  json: switchOption({
    default: false,
    help: 'print one JSON object on stdout: {"stateDir","deleted","remaining","runs"}; each run has "run","journal","archived","tenant","endpoint","skipped" (null or "otherTenant"),"deleted","deletedBefore","alreadyGone","remaining","awaitingOutcome"',
  }),
  "force-unlock": { ...stateOptions["force-unlock"], help: "take the state directory's lock even if its holder seems alive" },
};

/** Every option of the `cleanup` command (an import's hint carries those it shares, see commands/import.ts). */
export const cleanupCommandTable = { ...cleanupCommandOptions, ...graphOptions };

export const CLEANUP_COMMAND_ENV_FOR_FLAG = envTable(cleanupCommandTable);

export interface CleanupCommandConfig extends GraphCommandConfig {
  /** Absolute path of the state directory. */
  readonly stateDir: string;
  readonly run: string | undefined;
  /** Undefined: until everything is deleted. */
  readonly maxTimeMs: number | undefined;
  readonly writeLimit: WriteLimit;
  readonly json: boolean;
  readonly forceUnlock: boolean;
}

export function loadCleanupConfig(args: readonly string[], env: Env, cwd: string): CleanupCommandConfig {
  const { values: c } = parseOptions({ ...cleanupCommandOptions, ...graphOptions }, args, env, { ...graphParsing, command: "cleanup" });
  return {
    ...graphCommandConfig(c, env, cwd, { readCaCertificate: true }),
    stateDir: path.resolve(cwd, c["state-dir"] ?? DEFAULT_STATE_DIR),
    run: c.run,
    maxTimeMs: c["max-time"],
    writeLimit: c["write-limit"],
    json: c.json,
    forceUnlock: c["force-unlock"],
  };
}
