/** The `deregister` command's options and configuration: the lists, the safety switches, the deadline, and what every device operation and Graph command takes. */
import { UsageError } from "../../errors.js";
import { graphCommandConfig, graphOptions, graphParsing, type GraphCommandConfig } from "../options/graph.js";
import { envTable, switchOption, valueOption } from "../options/option.js";
import { parseOptions, type Env } from "../options/parse.js";
import { durationText } from "../options/values.js";
import { deviceOpOptions, loadDeviceOpConfig, type DeviceOpConfig } from "./device-op.js";

/** How long each accepted deletion is followed by default before it is reported `pending`. */
export const DEFAULT_DEREGISTER_DEADLINE_MS = 10 * 60_000;

export const deregisterOwnOptions = {
  yes: switchOption({
    default: false,
    env: ["AUTOPILOT_IMPORT_DEREGISTER_YES"],
    help: "delete without asking; without it the command asks for the word yes on a terminal, and refuses (exit 2) anywhere else",
  }),
  "delete-intune-record": switchOption({
    default: false,
    env: ["AUTOPILOT_IMPORT_DEREGISTER_DELETE_INTUNE_RECORD"],
    help: "delete an enrolled device's Intune managed device first, then its Autopilot record (needs DeviceManagementManagedDevices.ReadWrite.All);\nwithout it an enrolled device is reported `enrolled` and left alone",
  }),
  deadline: valueOption({
    arg: "DURATION",
    env: ["AUTOPILOT_IMPORT_DEREGISTER_DEADLINE"],
    schema: durationText(),
    default: DEFAULT_DEREGISTER_DEADLINE_MS,
    help: "how long each accepted deletion is followed until the record is gone (default 10m); still listed then: `pending`",
  }),
};

export const deregisterOptions = {
  ...deregisterOwnOptions,
  ...deviceOpOptions("deregister", {
    statuses: "deleted, pending, enrolled, not_found, ambiguous, failed, invalid or duplicate (--dry-run: would_delete); columns file, line, serialNumber, status, autopilotDeviceId, intuneDeviceIdDeleted, message",
    summary:
      '{"report","dryRun","rows","deleted","pending","enrolled","notFound","ambiguous","failed","invalid","duplicates","wouldDelete","intuneDeleted","resumedRows","missingPermission","requests","durationMs"}',
    dryRun: "look up and report what would be deleted (serial, Autopilot id, whether its Intune record would go first): reads only, no journal, no --yes needed",
  }),
};
export const deregisterTable = { ...deregisterOptions, ...graphOptions };

export const DEREGISTER_ENV_FOR_FLAG = envTable(deregisterTable);

export interface DeregisterConfig extends GraphCommandConfig {
  readonly files: readonly string[];
  readonly yes: boolean;
  readonly deleteIntuneRecord: boolean;
  readonly deadlineMs: number;
  readonly op: DeviceOpConfig;
}

export function loadDeregisterConfig(args: readonly string[], env: Env, cwd: string, now = new Date()): DeregisterConfig {
  const { values: c, positionals } = parseOptions(deregisterTable, args, env, { ...graphParsing, command: "deregister", positionals: true });
  if (positionals.length === 0) throw new UsageError("deregister: give at least one device-list file (a CSV with a Device Serial Number column), or - for standard input");
  const op = loadDeviceOpConfig("deregister", c, cwd, now);
  return {
    ...graphCommandConfig(c, env, cwd, { readCaCertificate: true }),
    files: positionals,
    yes: c.yes,
    deleteIntuneRecord: c["delete-intune-record"],
    deadlineMs: c.deadline,
    op,
  };
}
