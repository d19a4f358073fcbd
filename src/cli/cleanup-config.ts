/**
 * The `cleanup` command's configuration: the state directory, which run, how long, the write budget, plus the
 * sign-in, connection and log flags every Graph command shares (graph-options.ts), from argv then the environment.
 */
import path from "node:path";
import { z } from "zod";
import { DEFAULT_STATE_DIR } from "../state/state-dir.js";
import { DEFAULT_WRITE_LIMIT, type WriteLimit } from "../after/write-pacer.js";
import { CLEANUP_MAX_TIME_ENV, WRITE_LIMIT_ENV, formatWriteLimit, writeLimitText } from "./cleanup-options.js";
import { booleanText, durationText, readFlagsAndEnv, validateConfig, type Env } from "./config-parse.js";
import { GRAPH_ENV_FOR_FLAG, graphFlagOptions, graphSchemaShape, normalizeManagedIdentity, prepareGraphValues, resolveAuth, type AuthConfig, type LOG_LEVELS } from "./graph-options.js";
import { STATE_DIR_ENV } from "./import-config.js";

export const CLEANUP_COMMAND_ENV_FOR_FLAG = {
  "state-dir": [STATE_DIR_ENV],
  run: [],
  "max-time": [CLEANUP_MAX_TIME_ENV],
  "write-limit": [WRITE_LIMIT_ENV],
  json: ["AUTOPILOT_IMPORT_JSON"],
  "force-unlock": ["AUTOPILOT_IMPORT_FORCE_UNLOCK"],
  ...GRAPH_ENV_FOR_FLAG,
} as const;

const flagOptions = {
  "state-dir": { type: "string" },
  run: { type: "string" },
  "max-time": { type: "string" },
  "write-limit": { type: "string" },
  json: { type: "boolean" },
  "force-unlock": { type: "boolean" },
  ...graphFlagOptions,
} as const;

const schema = z.object({
  "state-dir": z.string().min(1),
  run: z
    .string()
    .regex(/^[0-9a-f]{16}$/, "expected a run key: 16 hex digits, as autopilot-import status shows it")
    .optional(),
  "max-time": durationText(true).optional(),
  "write-limit": writeLimitText,
  json: booleanText,
  "force-unlock": booleanText,
  ...graphSchemaShape,
});

export interface CleanupCommandConfig {
  /** Absolute path of the state directory. */
  readonly stateDir: string;
  readonly run: string | undefined;
  /** Undefined: until everything is deleted. */
  readonly maxTimeMs: number | undefined;
  readonly writeLimit: WriteLimit;
  readonly json: boolean;
  readonly forceUnlock: boolean;
  readonly logLevel: (typeof LOG_LEVELS)[number];
  readonly logFile: string | undefined;
  readonly auth: AuthConfig;
}

export function loadCleanupConfig(args: readonly string[], env: Env, cwd: string): CleanupCommandConfig {
  const input = readFlagsAndEnv(normalizeManagedIdentity(args), env, flagOptions, CLEANUP_COMMAND_ENV_FOR_FLAG, false);
  const { raw } = input;
  prepareGraphValues(raw);
  raw["write-limit"] ??= formatWriteLimit(DEFAULT_WRITE_LIMIT);
  raw["state-dir"] ??= DEFAULT_STATE_DIR;
  raw.json ??= false;
  raw["force-unlock"] ??= false;
  const c = validateConfig(schema, input, env, CLEANUP_COMMAND_ENV_FOR_FLAG);
  return {
    stateDir: path.resolve(cwd, c["state-dir"]),
    run: c.run,
    maxTimeMs: c["max-time"],
    writeLimit: c["write-limit"],
    json: c.json,
    forceUnlock: c["force-unlock"],
    logLevel: c["log-level"],
    logFile: c["log-file"] ? path.resolve(cwd, c["log-file"]) : undefined,
    auth: resolveAuth(c, env, cwd, { readCaCertificate: true }),
  };
}
