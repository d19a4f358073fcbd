/**
 * Configuration of the `sync` and `settings` commands: their own few flags plus the sign-in, connection and log
 * flags every Graph command shares (graph-options.ts), from argv then the environment.
 */
import path from "node:path";
import { z } from "zod";
import { DEFAULT_SYNC_MAX_WAIT_MS } from "../after/sync.js";
import { formatDuration } from "../pipeline/duration.js";
import { booleanText, durationText, readFlagsAndEnv, validateConfig, type Env } from "./config-parse.js";
import {
  GRAPH_ENV_FOR_FLAG,
  graphFlagOptions,
  graphSchemaShape,
  normalizeManagedIdentity,
  prepareGraphValues,
  resolveAuth,
  type AuthConfig,
  type LOG_LEVELS,
} from "./graph-options.js";

interface GraphCommandConfig {
  readonly json: boolean;
  readonly logLevel: (typeof LOG_LEVELS)[number];
  readonly logFile: string | undefined;
  readonly auth: AuthConfig;
}

export interface SyncCommandConfig extends GraphCommandConfig {
  /** After a 429, wait for the 10-minute window and trigger once more. */
  readonly wait: boolean;
  readonly maxWaitMs: number;
}

export type SettingsCommandConfig = GraphCommandConfig;

export const SYNC_ENV_FOR_FLAG = {
  json: ["AUTOPILOT_IMPORT_JSON"],
  wait: ["AUTOPILOT_IMPORT_SYNC_WAIT"],
  "max-wait": ["AUTOPILOT_IMPORT_SYNC_MAX_WAIT"],
  ...GRAPH_ENV_FOR_FLAG,
} as const;

const SETTINGS_ENV_FOR_FLAG = { json: ["AUTOPILOT_IMPORT_JSON"], ...GRAPH_ENV_FOR_FLAG } as const;

const syncSchema = z.object({ json: booleanText, wait: booleanText, "max-wait": durationText(true), ...graphSchemaShape });
const settingsSchema = z.object({ json: booleanText, ...graphSchemaShape });

function common(c: z.output<typeof settingsSchema>, env: Env, cwd: string): GraphCommandConfig {
  return {
    json: c.json,
    logLevel: c["log-level"],
    logFile: c["log-file"] ? path.resolve(cwd, c["log-file"]) : undefined,
    auth: resolveAuth(c, env, cwd, { readCaCertificate: true }),
  };
}

export function loadSyncConfig(args: readonly string[], env: Env, cwd: string): SyncCommandConfig {
  const options = { json: { type: "boolean" }, wait: { type: "boolean" }, "max-wait": { type: "string" }, ...graphFlagOptions } as const;
  const input = readFlagsAndEnv(normalizeManagedIdentity(args), env, options, SYNC_ENV_FOR_FLAG, false);
  prepareGraphValues(input.raw);
  input.raw.json ??= false;
  input.raw.wait ??= false;
  input.raw["max-wait"] ??= formatDuration(DEFAULT_SYNC_MAX_WAIT_MS);
  const c = validateConfig(syncSchema, input, env, SYNC_ENV_FOR_FLAG);
  return { ...common(c, env, cwd), wait: c.wait, maxWaitMs: c["max-wait"] };
}

export function loadSettingsConfig(args: readonly string[], env: Env, cwd: string): SettingsCommandConfig {
  const options = { json: { type: "boolean" }, ...graphFlagOptions } as const;
  const input = readFlagsAndEnv(normalizeManagedIdentity(args), env, options, SETTINGS_ENV_FOR_FLAG, false);
  prepareGraphValues(input.raw);
  input.raw.json ??= false;
  return common(validateConfig(settingsSchema, input, env, SETTINGS_ENV_FOR_FLAG), env, cwd);
}
