/** The `import` command's options and configuration: the files, the report, and what it shares with `run`. */
import path from "node:path";
import { z } from "zod";
import type { AfterImportOptions, CleanupSettings } from "../../after/options.js";
import type { AuthConfig } from "../../run/graph.js";
import { DEFAULT_STATE_DIR } from "../../state/state-dir.js";
import { timeStamp } from "../../util/time-stamp.js";
import type { LogFormat } from "../../log.js";
import { graphCommandConfig, graphOptions, graphParsing, type LOG_LEVELS } from "../options/graph.js";
import { afterImportSettings, afterOptions, cleanupOptions, cleanupSettings, fileOptions, rowOverrides, stateOptions, submitOptions, submitSettings, type SubmitSettings } from "../options/import.js";
import type { RowOverrides } from "../../csv/types.js";
import type { CsvDelimiter } from "../../report/csv-format.js";
import { envNames, envTable, switchOption, valueOption } from "../options/option.js";
import { firstEnv, parseOptions, type Env } from "../options/parse.js";
import { UsageError } from "../../errors.js";
import { DEFAULT_PROFILE_WAIT, withOptionalDuration } from "../options/optional-duration.js";
import { groupNames, groupOptions } from "../../groups/options.js";

/** `autopilot-import-report-20250102T030405Z.csv`: sortable, no characters Windows rejects. */
export function defaultReportName(now: Date): string {
  return `autopilot-import-report-${timeStamp(now.getTime())}.csv`;
}

export const importOwnOptions = {
  report: valueOption({
    arg: "PATH",
    schema: z.string().min(1),
    help: "per-device report (default ./autopilot-import-report-<time>.csv, UTF-8 with BOM for Excel; .jsonl for JSON Lines): file, line, serialNumber, status, errorCode, errorName, message, groupTag, assignedUser, uploadId, importedDeviceId, deviceRegistrationId, registered, groups, profileStatus, profileName; status is imported, already_registered (806), updated (806, properties set), failed, invalid, duplicate or timeout; registered is yes, no or unchecked",
  }),
  json: switchOption({
    default: false,
    help: 'print one JSON object on stdout at the end: {"rows","valid","invalid","duplicates","submitted","imported","alreadyRegistered","updated","failed","timedOut","registered","uploads","requests","durationMs","sync","cleanup","profiles"}; sync is {"status","message"[,"retryAt"]}; cleanup is {"deleted","remaining"} (null with --no-cleanup); profiles is {"assigned","pending","notAssigned","failed","notFound"} (null without --wait-profile); with --add-to-group, groups is {"added","alreadyMember","failed","devicesFailed"} (device-and-group pairs; devicesFailed: devices)',
  }),
  "dry-run": switchOption({ default: false, help: "validate and show the uploads that would be submitted; no sign-in, no writes" }),
  fresh: switchOption({
    default: false,
    help: "start these files over in this tenant: the run's journal is archived and every valid row is submitted again (devices already registered then end as 806)",
  }),
  ...groupOptions,
  archive: valueOption({
    arg: "DIR",
    schema: z.string().min(1),
    help: "keep the rows whose device is in the tenant after the run (imported, already registered, updated) with their hardware hashes, in the admin center's CSV format, in DIR/autopilot-import-archive-<run>.csv (0600, written as the run goes; a resumed run appends to the same file without duplicates): Graph never gives a hash back, and `autopilot-import migrate` needs them",
  }),
};

/** What `run` (the inbox job) shares with `import`: all but the inputs, the report, --dry-run and --fresh. */
export const sharedImportOptions = { ...fileOptions, ...submitOptions, ...afterOptions, ...cleanupOptions, ...stateOptions, ...graphOptions };

export const importOptions = { ...importOwnOptions, ...sharedImportOptions };

export const SHARED_ENV_FOR_FLAG = envTable(sharedImportOptions);

/** Flag → environment variables, for containers and their tests. */
export const ENV_FOR_FLAG = envTable(importOptions);

/** Where the run is journaled and locked, and how (see src/state). */
export interface StateConfig {
  /** Absolute path of the state directory. */
  readonly dir: string;
  /** Start this input over: archive its journal. */
  readonly fresh: boolean;
  /** Take the lock whoever holds it. */
  readonly forceUnlock: boolean;
}

export interface ImportConfig extends SubmitSettings {
  readonly files: readonly string[];
  /** Absolute path of the report. */
  readonly reportPath: string;
  readonly reportFormat: "csv" | "jsonl";
  /** --report-delimiter; undefined: the first input's. */
  readonly reportDelimiter: CsvDelimiter | undefined;
  /** --group-tag / --assigned-user for every row. */
  readonly overrides: RowOverrides | undefined;
  readonly dryRun: boolean;
  readonly json: boolean;
  /** --archive: absolute directory of the run's archive of accepted rows with their hashes. */
  readonly archiveDir: string | undefined;
  readonly after: AfterImportOptions;
  readonly cleanup: CleanupSettings;
  /** --cleanup-max-time (or its variable) was given: an interactive run then keeps it instead of its short budget. */
  readonly cleanupMaxTimeGiven: boolean;
  readonly state: StateConfig;
  readonly logLevel: (typeof LOG_LEVELS)[number];
  readonly logFile: string | undefined;
  readonly logFormat: LogFormat | undefined;
  readonly auth: AuthConfig;
  /** --add-to-group: the groups (names or ids, as given) and how long to wait for lagging Entra objects. */
  readonly groups: { readonly names: readonly string[]; readonly entraWaitMs: number } | undefined;
}

/** Parses argv + environment into an ImportConfig; throws UsageError with every problem named. */
export function loadImportConfig(args: readonly string[], env: Env, cwd: string, now: Date = new Date()): ImportConfig {
  const parsing = withOptionalDuration({ ...graphParsing, command: "import", positionals: true }, "wait-profile", DEFAULT_PROFILE_WAIT);
  const { values: c, positionals, given } = parseOptions(importOptions, args, env, parsing);
  if (positionals.length === 0) throw new UsageError("give at least one CSV file, or - for standard input");
  const reportPath = path.resolve(cwd, c.report ?? defaultReportName(now));
  const names = groupNames(c);
  // The devices go into groups once they are confirmed registered: the check gives their Autopilot record ids.
  if (names && !c.verify) throw new UsageError("import: --add-to-group needs the registration check: drop --no-verify");
  return {
    ...submitSettings(c),
    ...graphCommandConfig(c, env, cwd, { readCaCertificate: !c["dry-run"] }),
    files: positionals,
    reportPath,
    reportFormat: reportPath.toLowerCase().endsWith(".jsonl") ? "jsonl" : "csv",
    reportDelimiter: c["report-delimiter"],
    overrides: rowOverrides(c),
    dryRun: c["dry-run"],
    json: c.json,
    archiveDir: c.archive === undefined ? undefined : path.resolve(cwd, c.archive),
    after: afterImportSettings(c),
    cleanup: cleanupSettings(c),
    cleanupMaxTimeGiven: given.has("cleanup-max-time") || firstEnv(env, envNames("cleanup-max-time", importOptions["cleanup-max-time"])) !== undefined,
    state: { dir: path.resolve(cwd, c["state-dir"] ?? DEFAULT_STATE_DIR), fresh: c.fresh, forceUnlock: c["force-unlock"] },
    groups: names ? { names, entraWaitMs: c["add-to-group-wait"] } : undefined,
  };
}
