/**
 * What `update` and `deregister` share: where the run is journaled and locked, its report, its summary, the dry run
 * and the write budget. Their variables are named per command (AUTOPILOT_IMPORT_UPDATE_REPORT…), so a container's
 * settings for one never steer the other; the state directory and the write budget are the import's own variables,
 * since they are the same directory and the same app's budget.
 */
import path from "node:path";
import { z } from "zod";
import { DEFAULT_WRITE_LIMIT, type WriteLimit } from "../../after/write-pacer.js";
import type { OpCommand } from "../../devices/op-records.js";
import type { ReportFormat } from "../../report/columns.js";
import { DEFAULT_STATE_DIR } from "../../state/state-dir.js";
import { timeStamp } from "../../util/time-stamp.js";
import { stateOptions } from "../options/import.js";
import { ENV_PREFIX, switchOption, valueOption, type OptionValues } from "../options/option.js";
import { formatWriteLimit, writeLimitText } from "../options/values.js";

const envFor = (command: OpCommand, flag: string): string[] => [`${ENV_PREFIX}${command.toUpperCase()}_${flag.toUpperCase().replace(/-/g, "_")}`];

/** The shared table for `command`; `statuses` and `summary` word the report's and --json's help. */
export function deviceOpOptions(command: OpCommand, words: { readonly statuses: string; readonly summary: string; readonly dryRun: string }) {
  return {
    report: valueOption({
      arg: "PATH",
      env: envFor(command, "report"),
      schema: z.string().min(1),
      help: `per-device report (default ./autopilot-${command}-report-<time>.csv, UTF-8 with BOM for Excel; .jsonl for JSON Lines); status is ${words.statuses}`,
    }),
    json: switchOption({ default: false, env: envFor(command, "json"), help: `print one JSON object on stdout at the end: ${words.summary}` }),
    "dry-run": switchOption({ default: false, env: envFor(command, "dry-run"), help: words.dryRun }),
    fresh: switchOption({
      default: false,
      env: envFor(command, "fresh"),
      help: `start this ${command} over: its journal is set aside (kept) and every row is looked up and written again where needed`,
    }),
    "write-limit": valueOption({
      arg: "N/DURATION",
      schema: writeLimitText,
      default: DEFAULT_WRITE_LIMIT,
      help: `the app's write budget the writes are paced by (default ${formatWriteLimit(DEFAULT_WRITE_LIMIT)}, Intune's limit per app per tenant): each device is one write, so 10,000 take at least 33m20s; a 429 is honoured (Retry-After) and slows them further`,
    }),
    ...stateOptions,
  };
}

type DeviceOpTable = ReturnType<typeof deviceOpOptions>;

export interface DeviceOpConfig {
  /** Absolute path of the report. */
  readonly reportPath: string;
  readonly reportFormat: ReportFormat;
  readonly json: boolean;
  readonly dryRun: boolean;
  readonly writeLimit: WriteLimit;
  readonly state: { readonly dir: string; readonly fresh: boolean; readonly forceUnlock: boolean };
}

/** `autopilot-update-report-20250102T030405Z.csv`: sortable, no characters Windows rejects. */
export function defaultOpReportName(command: OpCommand, now: Date): string {
  return `autopilot-${command}-report-${timeStamp(now.getTime())}.csv`;
}

export function loadDeviceOpConfig(command: OpCommand, c: OptionValues<DeviceOpTable>, cwd: string, now: Date = new Date()): DeviceOpConfig {
  const reportPath = path.resolve(cwd, c.report ?? defaultOpReportName(command, now));
  return {
    reportPath,
    reportFormat: reportPath.toLowerCase().endsWith(".jsonl") ? "jsonl" : "csv",
    json: c.json,
    dryRun: c["dry-run"],
    writeLimit: c["write-limit"],
    state: { dir: path.resolve(cwd, c["state-dir"] ?? DEFAULT_STATE_DIR), fresh: c.fresh, forceUnlock: c["force-unlock"] },
  };
}
