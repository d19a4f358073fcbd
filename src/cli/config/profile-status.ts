/** The `profile-status` command's options and configuration: the lists, the report, --json and the optional wait. */
import path from "node:path";
import { z } from "zod";
import { UsageError } from "../../errors.js";
import type { ReportFormat } from "../../report/columns.js";
import { timeStamp } from "../../util/time-stamp.js";
import { graphCommandConfig, graphOptions, graphParsing, type GraphCommandConfig } from "../options/graph.js";
import { envTable, switchOption, valueOption } from "../options/option.js";
import { parseOptions, type Env } from "../options/parse.js";
import { durationText } from "../options/values.js";
import { DEFAULT_PROFILE_WAIT, withOptionalDuration } from "../options/optional-duration.js";

export const PROFILE_STATUS_STATUSES = "assigned, pending, notAssigned, failed, not_found, ambiguous, unchecked (the lookup failed), invalid or duplicate";

export const profileStatusOptions = {
  wait: valueOption({
    arg: "[DURATION]",
    env: ["AUTOPILOT_IMPORT_PROFILE_STATUS_WAIT"],
    schema: durationText(true),
    help: `follow the devices not assigned yet until each is assigned or failed, or the time is up (bare: ${DEFAULT_PROFILE_WAIT}); without it the status is read once`,
  }),
  report: valueOption({
    arg: "PATH",
    env: ["AUTOPILOT_IMPORT_PROFILE_STATUS_REPORT"],
    schema: z.string().min(1),
    help: `per-device report (default ./autopilot-profile-status-report-<time>.csv, UTF-8 with BOM for Excel; .jsonl for JSON Lines); status is ${PROFILE_STATUS_STATUSES}; columns file, line, serialNumber, status, profileName, groupTag, autopilotDeviceId, message`,
  }),
  json: switchOption({
    default: false,
    env: ["AUTOPILOT_IMPORT_PROFILE_STATUS_JSON"],
    help: 'print one JSON object on stdout at the end: {"report","rows","assigned","pending","notAssigned","failed","notFound","ambiguous","unchecked","invalid","duplicates","requests","durationMs"}',
  }),
};

export const profileStatusTable = { ...profileStatusOptions, ...graphOptions };
export const PROFILE_STATUS_ENV_FOR_FLAG = envTable(profileStatusTable);

export interface ProfileStatusConfig extends GraphCommandConfig {
  readonly files: readonly string[];
  /** How long to follow; 0: read once. */
  readonly waitMs: number;
  readonly reportPath: string;
  readonly reportFormat: ReportFormat;
  readonly json: boolean;
}

export function loadProfileStatusConfig(args: readonly string[], env: Env, cwd: string, now = new Date()): ProfileStatusConfig {
  const parsing = withOptionalDuration({ ...graphParsing, command: "profile-status", positionals: true }, "wait", DEFAULT_PROFILE_WAIT);
  const { values: c, positionals } = parseOptions(profileStatusTable, args, env, parsing);
  if (positionals.length === 0) throw new UsageError("profile-status: give at least one device-list file (a CSV with a Device Serial Number column, such as an export or an import file), or - for standard input");
  const reportPath = path.resolve(cwd, c.report ?? `autopilot-profile-status-report-${timeStamp(now.getTime())}.csv`);
  return {
    ...graphCommandConfig(c, env, cwd, { readCaCertificate: true }),
    files: positionals,
    waitMs: c.wait ?? 0,
    reportPath,
    reportFormat: reportPath.toLowerCase().endsWith(".jsonl") ? "jsonl" : "csv",
    json: c.json,
  };
}
