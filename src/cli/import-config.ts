/**
 * The `import` command's configuration: flags, then AUTOPILOT_IMPORT_* variables, then the standard Azure ones,
 * parsed once into one validated object. The only place that reads the environment for an import. The sign-in,
 * connection and log flags are shared with the other Graph commands (graph-options.ts).
 */
import path from "node:path";
import { z } from "zod";
import { DEFAULT_SYNC_MAX_WAIT_MS } from "../after/sync.js";
import { DEFAULT_VERIFY_TIMEOUT_MS } from "../after/verify.js";
import { DEFAULT_BATCH_SIZE, DEFAULT_CONCURRENCY, DEFAULT_POLL_TIMEOUT_MS, MAX_BATCH_SIZE, MAX_CONCURRENCY } from "../pipeline/defaults.js";
import { formatDuration } from "../pipeline/duration.js";
import { DEFAULT_STATE_DIR } from "../state/state-dir.js";
import { CLEANUP_ENV_FOR_FLAG, cleanupConfig, cleanupFlagOptions, cleanupSchemaShape, fillCleanupDefaults, type CleanupConfig } from "./cleanup-options.js";
import { booleanText, durationText, integerText, readFlagsAndEnv, validateConfig, type Env } from "./config-parse.js";
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

export type { AuthConfig } from "./graph-options.js";

/** The state directory's variable, shared by `import` and `status`. */
export const STATE_DIR_ENV = "AUTOPILOT_IMPORT_STATE_DIR";

/**
 * The options `run` (inbox mode) shares with `import`: all but the inputs, --report, --dry-run and --fresh. Both
 * commands build on these, so a flag or variable means the same in each.
 */
export const SHARED_ENV_FOR_FLAG = {
  json: ["AUTOPILOT_IMPORT_JSON"],
  "batch-size": ["AUTOPILOT_IMPORT_BATCH_SIZE"],
  concurrency: ["AUTOPILOT_IMPORT_CONCURRENCY"],
  api: ["AUTOPILOT_IMPORT_API"],
  "poll-timeout": ["AUTOPILOT_IMPORT_POLL_TIMEOUT"],
  verify: ["AUTOPILOT_IMPORT_VERIFY"],
  "verify-timeout": ["AUTOPILOT_IMPORT_VERIFY_TIMEOUT"],
  "update-existing": ["AUTOPILOT_IMPORT_UPDATE_EXISTING"],
  sync: ["AUTOPILOT_IMPORT_SYNC"],
  "sync-wait": ["AUTOPILOT_IMPORT_SYNC_WAIT"],
  "sync-max-wait": ["AUTOPILOT_IMPORT_SYNC_MAX_WAIT"],
  "state-dir": [STATE_DIR_ENV],
  "force-unlock": ["AUTOPILOT_IMPORT_FORCE_UNLOCK"],
  ...CLEANUP_ENV_FOR_FLAG,
  ...GRAPH_ENV_FOR_FLAG,
} as const;

/** Flag → environment variables consulted when the flag is absent, first match wins. */
export const ENV_FOR_FLAG = {
  report: ["AUTOPILOT_IMPORT_REPORT"],
  "dry-run": ["AUTOPILOT_IMPORT_DRY_RUN"],
  fresh: ["AUTOPILOT_IMPORT_FRESH"],
  ...SHARED_ENV_FOR_FLAG,
} as const;

export const sharedFlagOptions = {
  json: { type: "boolean" },
  "batch-size": { type: "string" },
  concurrency: { type: "string" },
  api: { type: "string" },
  "poll-timeout": { type: "string" },
  verify: { type: "boolean" },
  "verify-timeout": { type: "string" },
  "update-existing": { type: "boolean" },
  sync: { type: "boolean" },
  "sync-wait": { type: "boolean" },
  "sync-max-wait": { type: "string" },
  "state-dir": { type: "string" },
  "force-unlock": { type: "boolean" },
  ...cleanupFlagOptions,
  ...graphFlagOptions,
} as const;

const flagOptions = {
  report: { type: "string" },
  "dry-run": { type: "boolean" },
  fresh: { type: "boolean" },
  ...sharedFlagOptions,
} as const;

export const sharedSchemaShape = {
  json: booleanText,
  "batch-size": integerText(1, MAX_BATCH_SIZE),
  concurrency: integerText(1, MAX_CONCURRENCY),
  api: z.enum(["import", "upload"], { error: "expected 'import' or 'upload'" }),
  "poll-timeout": durationText(),
  verify: booleanText,
  "verify-timeout": durationText(true),
  "update-existing": booleanText,
  sync: booleanText,
  "sync-wait": booleanText,
  "sync-max-wait": durationText(true),
  "state-dir": z.string().min(1),
  "force-unlock": booleanText,
  ...cleanupSchemaShape,
  ...graphSchemaShape,
};

const schema = z.object({
  files: z.array(z.string().min(1)).min(1, "give at least one CSV file, or - for standard input"),
  report: z.string().min(1),
  "dry-run": booleanText,
  fresh: booleanText,
  ...sharedSchemaShape,
});

/** The steps after polling (src/after): on by default but for updating existing devices. */
export interface AfterImportConfig {
  readonly verify: boolean;
  readonly verifyTimeoutMs: number;
  readonly updateExisting: boolean;
  readonly sync: boolean;
  readonly syncWait: boolean;
  readonly syncMaxWaitMs: number;
}

/** Where the run is journaled and locked, and how (see src/state). */
export interface StateConfig {
  /** Absolute path of the state directory. */
  readonly dir: string;
  /** Start this input over: archive its journal. */
  readonly fresh: boolean;
  /** Take the lock whoever holds it. */
  readonly forceUnlock: boolean;
}

/** What `import` and `run` share, validated. */
export interface SharedImportConfig {
  readonly json: boolean;
  readonly batchSize: number;
  readonly concurrency: number;
  readonly api: "import" | "upload";
  readonly pollTimeoutMs: number;
  readonly logLevel: (typeof LOG_LEVELS)[number];
  readonly logFile: string | undefined;
  readonly auth: AuthConfig;
  readonly after: AfterImportConfig;
  /** The deletion of the run's staged records. */
  readonly cleanup: CleanupConfig;
  /** Absolute path of the state directory. */
  readonly stateDir: string;
  readonly forceUnlock: boolean;
}

export interface ImportConfig extends Omit<SharedImportConfig, "stateDir" | "forceUnlock"> {
  readonly files: readonly string[];
  /** Absolute path of the report. */
  readonly reportPath: string;
  readonly reportFormat: "csv" | "jsonl";
  readonly dryRun: boolean;
  readonly state: StateConfig;
}

/** `autopilot-import-report-20250102T030405Z.csv`: sortable, no characters Windows rejects. */
export function defaultReportName(now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  return `autopilot-import-report-${stamp}.csv`;
}

/** Fills the shared options' defaults before validation; `stateDir` is the state directory's default. */
export function fillSharedDefaults(raw: Record<string, unknown>, stateDir: string): void {
  prepareGraphValues(raw);
  raw.json ??= false;
  raw["batch-size"] ??= String(DEFAULT_BATCH_SIZE);
  raw.concurrency ??= String(DEFAULT_CONCURRENCY);
  raw.api ??= "import";
  raw["poll-timeout"] ??= `${DEFAULT_POLL_TIMEOUT_MS / 1000}`;
  raw.verify ??= true;
  raw["verify-timeout"] ??= formatDuration(DEFAULT_VERIFY_TIMEOUT_MS);
  raw["update-existing"] ??= false;
  raw.sync ??= true;
  raw["sync-wait"] ??= true;
  raw["sync-max-wait"] ??= formatDuration(DEFAULT_SYNC_MAX_WAIT_MS);
  raw["state-dir"] ??= stateDir;
  raw["force-unlock"] ??= false;
  fillCleanupDefaults(raw);
}

type SharedValues = z.output<z.ZodObject<typeof sharedSchemaShape>>;

/** The shared options as the commands use them (paths absolute, sign-in resolved with the environment-only secrets). */
export function sharedImportConfig(c: SharedValues, env: Env, cwd: string, options: { readCaCertificate: boolean }): SharedImportConfig {
  return {
    json: c.json,
    batchSize: c["batch-size"],
    concurrency: c.concurrency,
    api: c.api,
    pollTimeoutMs: c["poll-timeout"],
    logLevel: c["log-level"],
    logFile: c["log-file"] ? path.resolve(cwd, c["log-file"]) : undefined,
    auth: resolveAuth(c, env, cwd, options),
    after: {
      verify: c.verify,
      verifyTimeoutMs: c["verify-timeout"],
      updateExisting: c["update-existing"],
      sync: c.sync,
      syncWait: c["sync-wait"],
      syncMaxWaitMs: c["sync-max-wait"],
    },
    cleanup: cleanupConfig(c),
    stateDir: path.resolve(cwd, c["state-dir"]),
    forceUnlock: c["force-unlock"],
  };
}

/** Parses argv + environment into an ImportConfig; throws UsageError with every problem named. */
export function loadImportConfig(args: readonly string[], env: Env, cwd: string, now: Date = new Date()): ImportConfig {
  const input = readFlagsAndEnv(normalizeManagedIdentity(args), env, flagOptions, ENV_FOR_FLAG, true);
  const { raw } = input;
  raw.files = input.positionals;
  fillSharedDefaults(raw, DEFAULT_STATE_DIR);
  raw.report ??= defaultReportName(now);
  raw["dry-run"] ??= false;
  raw.fresh ??= false;

  const c = validateConfig(schema, input, env, ENV_FOR_FLAG);
  const { stateDir, forceUnlock, ...shared } = sharedImportConfig(c, env, cwd, { readCaCertificate: !c["dry-run"] });
  const reportPath = path.resolve(cwd, c.report);
  return {
    ...shared,
    files: c.files,
    reportPath,
    reportFormat: reportPath.toLowerCase().endsWith(".jsonl") ? "jsonl" : "csv",
    dryRun: c["dry-run"],
    state: { dir: stateDir, fresh: c.fresh, forceUnlock },
  };
}
