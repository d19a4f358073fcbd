/**
 * The options `import` and `run` (the inbox job) share, so a flag or variable means the same in each: how devices
 * are submitted, the steps after the import, the cleanup of staged records, and where runs are journaled.
 */
import path from "node:path";
import type { AfterImportOptions, CleanupSettings } from "../../after/options.js";
import { DEFAULT_CLEANUP_MAX_TIME_MS } from "../../after/cleanup.js";
import { INTERACTIVE_CLEANUP_MAX_TIME_MS } from "../config/cleanup-budget.js";
import { DEFAULT_SYNC_MAX_WAIT_MS } from "../../after/sync.js";
import { DEFAULT_VERIFY_TIMEOUT_MS } from "../../after/verify.js";
import { DEFAULT_WRITE_LIMIT } from "../../after/write-pacer.js";
import { DEFAULT_BATCH_SIZE, DEFAULT_CONCURRENCY, DEFAULT_POLL_TIMEOUT_MS, MAX_CONCURRENCY, MAX_UPLOAD_SIZE } from "../../pipeline/defaults.js";
import type { RowOverrides } from "../../csv/types.js";
import { checkGroupTag } from "../../model/group-tag.js";
import { checkUserPrincipalName } from "../../model/user-principal-name.js";
import type { CsvDelimiter } from "../../report/csv-format.js";
import { formatDuration } from "../../util/duration.js";
import { switchOption, valueOption, type OptionValues } from "./option.js";
import { choiceText, durationText, fieldText, formatWriteLimit, integerText, writeLimitText } from "./values.js";
import { z } from "zod";
import { DEFAULT_PROFILE_WAIT } from "./optional-duration.js";
import { UsageError } from "../../errors.js";


export const submitOptions = {
  "batch-size": valueOption({ arg: "N", schema: integerText(1, MAX_UPLOAD_SIZE), default: DEFAULT_BATCH_SIZE, help: `devices per upload, 1..${MAX_UPLOAD_SIZE} (default ${DEFAULT_BATCH_SIZE})` }),
  concurrency: valueOption({
    arg: "N",
    schema: integerText(1, MAX_CONCURRENCY),
    default: DEFAULT_CONCURRENCY,
    help: `uploads in flight, 1..${MAX_CONCURRENCY} (default ${DEFAULT_CONCURRENCY}); lowered automatically on 429`,
  }),
  api: valueOption({ arg: "import|upload", schema: choiceText(["import","upload"]), default: "import" as "import" | "upload", help: "submit with the import action (default) or the beta uploads resource" }),
  "poll-timeout": valueOption({
    arg: "DURATION",
    schema: durationText(),
    default: DEFAULT_POLL_TIMEOUT_MS,
    help: `how long a device may stay in progress after submission, e.g. 90s, 30m, 1h or plain seconds (default ${formatDuration(DEFAULT_POLL_TIMEOUT_MS)}); then it is reported 'timeout'`,
  }),
};

const DELIMITERS = { comma: ",", semicolon: ";", tab: "\t" } as const satisfies Record<string, CsvDelimiter>;

/** The CSV report's separator; `validate` takes it too. */
export const reportDelimiterOption = valueOption({
  arg: "comma|semicolon|tab",
  schema: choiceText(["comma", "semicolon", "tab"]).transform((name): CsvDelimiter => DELIMITERS[name]),
  help: "the CSV report's separator (default: the first input file's, which Excel in that locale expects); the report is UTF-8 with a BOM and CRLF line ends either way",
});

/** Values for every row of the input, and how the report is written. */
export const fileOptions = {
  "group-tag": valueOption({
    arg: "TAG",
    schema: fieldText(checkGroupTag),
    help: "the group tag (order ID) of every device, replacing the file's Group Tag column where there is one (as Import-AutopilotCSV -groupTag); at most 128 characters",
  }),
  "assigned-user": valueOption({
    arg: "UPN",
    schema: fieldText(checkUserPrincipalName),
    help: "the assigned user (user principal name, name@domain.com) of every device, replacing the file's Assigned User column",
  }),
  "report-delimiter": reportDelimiterOption,
};

export const afterOptions = {
  verify: switchOption({ default: true, help: "do not confirm that imported devices appear in Windows Autopilot devices (by deviceRegistrationId, JSON-batched, or one listing when that is cheaper)" }),
  "verify-timeout": valueOption({
    arg: "DURATION",
    schema: durationText(true),
    default: DEFAULT_VERIFY_TIMEOUT_MS,
    help: `how long to keep re-checking devices not registered yet (default ${formatDuration(DEFAULT_VERIFY_TIMEOUT_MS)}; 0: once)`,
  }),
  "update-existing": switchOption({
    default: false,
    help: "for devices already registered (806), set group tag and assigned user from the CSV when they differ (updateDeviceProperties); the report says updated",
  }),
  sync: switchOption({ default: true, help: "do not trigger the Autopilot sync (by default it runs once if any device was imported)" }),
  "sync-wait": switchOption({
    default: true,
    help: "if the 10-minute rule refuses the sync, report when it can be run instead of waiting for it (by default an import waits after its summary and report, with a countdown, up to --sync-max-wait, and triggers once more)",
  }),
  "sync-max-wait": valueOption({ arg: "DURATION", schema: durationText(true), default: DEFAULT_SYNC_MAX_WAIT_MS, help: `longest wait for the sync (default ${formatDuration(DEFAULT_SYNC_MAX_WAIT_MS)})` }),
  "wait-profile": valueOption({
    arg: "[DURATION]",
    schema: durationText(true),
    help: `after registration, follow each registered device's deployment profile until assigned or failed, or the time is up (bare: ${DEFAULT_PROFILE_WAIT});\nthe report's profileStatus (assigned, pending, notAssigned, failed) and profileName say the outcome, the message why a device has none; exit 1 when some are not assigned`,
  }),
};

export const cleanupOptions = {
  cleanup: switchOption({
    default: true,
    help: "keep this run's staged records (importedWindowsAutopilotDeviceIdentities); 'autopilot-import cleanup' deletes them later. Otherwise each is deleted once its outcome is journaled and in the report; only ours (by id, never by a listing)",
  }),
  "cleanup-max-time": valueOption({
    arg: "DURATION",
    schema: durationText(true),
    default: DEFAULT_CLEANUP_MAX_TIME_MS,
    help: `how long deletes go on once the report is complete, earlier runs' leftovers included (default ${formatDuration(DEFAULT_CLEANUP_MAX_TIME_MS)}; an import at a terminal: ${formatDuration(INTERACTIVE_CLEANUP_MAX_TIME_MS)} unless given; 0: not at all); the rest is left for 'autopilot-import cleanup' or the next import`,
  }),
  "write-limit": valueOption({
    arg: "N/DURATION",
    schema: writeLimitText,
    default: DEFAULT_WRITE_LIMIT,
    help: `the app's write budget deletes are paced by (default ${formatWriteLimit(DEFAULT_WRITE_LIMIT)}, Intune's limit per app per tenant); each delete is a write, so 100,000 records take at least 5h33m: deletes go between submissions, never delaying one or the report`,
  }),
};

export const stateOptions = {
  "state-dir": valueOption({ arg: "DIR", schema: z.string().min(1), help: "where runs are journaled and locked (default ./.autopilot-import); one process at a time: another one refuses (exit 2) naming the holder's pid, host and start" }),
  "force-unlock": switchOption({
    default: false,
    help: "take the state directory's lock even if its holder seems alive (a lock of a dead process on this host, or one not renewed for 10 minutes, is taken over anyway)",
  }),
};

export function afterImportSettings(c: OptionValues<typeof afterOptions>): AfterImportOptions {
  const waitProfileMs = c["wait-profile"];
  // The wait follows the devices the registration check confirms (their Autopilot ids).
  if (waitProfileMs !== undefined && !c.verify) throw new UsageError("--wait-profile follows the devices the registration check confirms: drop --no-verify");
  return {
    verify: c.verify,
    verifyTimeoutMs: c["verify-timeout"],
    updateExisting: c["update-existing"],
    sync: c.sync,
    syncWait: c["sync-wait"],
    syncMaxWaitMs: c["sync-max-wait"],
    ...(waitProfileMs === undefined ? {} : { waitProfileMs }),
  };
}

/** What --group-tag and --assigned-user set for every row; undefined when neither is given. */
export function rowOverrides(c: OptionValues<typeof fileOptions>): RowOverrides | undefined {
  const groupTag = c["group-tag"];
  const assignedUserPrincipalName = c["assigned-user"];
  return groupTag === undefined && assignedUserPrincipalName === undefined ? undefined : { groupTag, assignedUserPrincipalName };
}

export function cleanupSettings(c: OptionValues<typeof cleanupOptions>): CleanupSettings {
  return { enabled: c.cleanup, maxTimeMs: c["cleanup-max-time"], writeLimit: c["write-limit"] };
}

/** How devices are submitted, validated. */
export interface SubmitSettings {
  readonly batchSize: number;
  readonly concurrency: number;
  readonly api: "import" | "upload";
  readonly pollTimeoutMs: number;
}

export function submitSettings(c: OptionValues<typeof submitOptions>): SubmitSettings {
  return { batchSize: c["batch-size"], concurrency: c.concurrency, api: c.api, pollTimeoutMs: c["poll-timeout"] };
}

/** The state directory, absolute, from the flag or the command's default. */
export function stateDirFrom(value: string | undefined, fallback: string, cwd: string): string {
  return path.resolve(cwd, value ?? fallback);
}
