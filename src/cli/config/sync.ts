/** The `sync` and `settings` commands' options and configuration: their own few, plus every Graph command's. */
import { DEFAULT_SYNC_MAX_WAIT_MS } from "../../after/sync.js";
import { formatDuration } from "../../util/duration.js";
import { graphCommandConfig, graphOptions, graphParsing, type GraphCommandConfig } from "../options/graph.js";
import { envTable, switchOption, valueOption } from "../options/option.js";
import { parseOptions, type Env } from "../options/parse.js";
import { durationText } from "../options/values.js";

export const syncOptions = {
  wait: switchOption({
    default: false,
    env: ["AUTOPILOT_IMPORT_SYNC_WAIT"],
    help: "after a 429, wait for the window (up to --max-wait) and trigger again",
  }),
  "max-wait": valueOption({
    arg: "DURATION",
    env: ["AUTOPILOT_IMPORT_SYNC_MAX_WAIT"],
    schema: durationText(true),
    default: DEFAULT_SYNC_MAX_WAIT_MS,
    help: `longest wait, e.g. 90s, ${formatDuration(DEFAULT_SYNC_MAX_WAIT_MS)} (default), 1h or plain seconds; 0 waits for nothing`,
  }),
  json: switchOption({
    default: false,
    help: 'print one JSON object on stdout: {"status","triggers","waitedMs","retryAt","syncStatus","lastSyncDateTime","lastManualSyncTriggerDateTime"}; status is triggered, joined (a running sync finished), running, tooSoon or failed',
  }),
};

export const settingsOptions = {
  json: switchOption({
    default: false,
    help: 'print the settings as one JSON object on stdout instead: {"id","syncStatus","lastSyncDateTime","lastManualSyncTriggerDateTime","nextManualSyncAllowedDateTime"}',
  }),
};

export const SYNC_ENV_FOR_FLAG = envTable({ ...syncOptions, ...graphOptions });

export interface SyncCommandConfig extends GraphCommandConfig {
  readonly json: boolean;
  /** After a 429, wait for the 10-minute window and trigger once more. */
  readonly wait: boolean;
  readonly maxWaitMs: number;
}

export interface SettingsCommandConfig extends GraphCommandConfig {
  readonly json: boolean;
}

export function loadSyncConfig(args: readonly string[], env: Env, cwd: string): SyncCommandConfig {
  const { values: c } = parseOptions({ ...syncOptions, ...graphOptions }, args, env, { ...graphParsing, command: "sync" });
  return { ...graphCommandConfig(c, env, cwd, { readCaCertificate: true }), json: c.json, wait: c.wait, maxWaitMs: c["max-wait"] };
}

export function loadSettingsConfig(args: readonly string[], env: Env, cwd: string): SettingsCommandConfig {
  const { values: c } = parseOptions({ ...settingsOptions, ...graphOptions }, args, env, { ...graphParsing, command: "settings" });
  return { ...graphCommandConfig(c, env, cwd, { readCaCertificate: true }), json: c.json };
}
