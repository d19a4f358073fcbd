import { stat } from "node:fs/promises";
import path from "node:path";
import { openDeviceReader } from "../../csv/reader.js";
import { UsageError } from "../../errors.js";
import { formatDuration } from "../../pipeline/duration.js";
import { DEFAULT_BATCH_SIZE, DEFAULT_CONCURRENCY, MAX_BATCH_SIZE, MAX_CONCURRENCY } from "../../pipeline/defaults.js";
import { formatPlan, planUploads } from "../../pipeline/plan.js";
import type { CliContext, Command } from "../context.js";
import { ExitCode, exitCodeForImport } from "../exit-codes.js";
import { loadImportConfig, type ImportConfig } from "../import-config.js";
import { GRAPH_OPTIONS_HELP } from "../graph-options.js";
import { CLEANUP_OPTIONS_HELP } from "../cleanup-options.js";
import { cleanupEndLine } from "../cleanup-output.js";
import { fileErrors, graphConfigFor, loggerFor, printJson, printOutcomes, runImport } from "../import-run.js";
import { openImportState } from "../import-state.js";
import { commandLine } from "../shell-words.js";

const help = `Usage: autopilot-import import <files...|-> [options]

Registers the devices in hardware-hash CSV files with Windows Autopilot through Microsoft Graph:
reads and validates every row, submits valid devices in uploads while the files are still being
read, follows each device until Graph reports it complete or failed, and writes a report with
one row per input row.

Every step is journaled in the state directory before it is taken, so an import that is interrupted
(a signal, a crash, a reboot, a lost network) is finished by running the same command again: rows
that have an outcome are not submitted again, uploads whose answer was lost are looked up in Graph
before anything is resent, staged devices are polled, and the report is written complete.

Options:
  --report PATH            per-device report (default ./autopilot-import-report-<time>.csv; .jsonl for
                           JSON Lines): file, line, serialNumber, status, errorCode, errorName, message,
                           uploadId, importedDeviceId, deviceRegistrationId, registered; status is imported,
                           already_registered (806), updated (806, properties set), failed, invalid,
                           duplicate or timeout; registered is yes, no or unchecked
  --json                   print one JSON object on stdout at the end: {"rows","valid","invalid",
                           "duplicates","submitted","imported","alreadyRegistered","updated","failed",
                           "timedOut","registered","uploads","requests","durationMs","sync","cleanup"};
                           sync is {"status","message"[,"retryAt"]}; cleanup is {"deleted","remaining"}
                           (null with --no-cleanup)
  --batch-size N           devices per upload, 1..${MAX_BATCH_SIZE} (default ${DEFAULT_BATCH_SIZE})
  --concurrency N          uploads in flight, 1..${MAX_CONCURRENCY} (default ${DEFAULT_CONCURRENCY}); lowered automatically on 429
  --api import|upload      submit with the import action (default) or the beta uploads resource
  --poll-timeout DURATION  how long a device may stay in progress after submission, e.g. 90s, 30m,
                           1h or plain seconds (default 30m); then it is reported 'timeout'
  --dry-run                validate and show the uploads that would be submitted; no sign-in, no writes

After the import (once every device is final):
  --no-verify              do not confirm that imported devices appear in Windows Autopilot devices
                           (by deviceRegistrationId, JSON-batched, or one listing when that is cheaper)
  --verify-timeout DURATION  how long to keep re-checking devices not registered yet (default 10m; 0: once)
  --update-existing        for devices already registered (806), set group tag and assigned user from the
                           CSV when they differ (updateDeviceProperties); the report says updated
  --no-sync                do not trigger the Autopilot sync (by default it runs once if any device was imported)
  --no-sync-wait           if the 10-minute rule refuses the sync, report when it can be run instead of
                           waiting for it (by default it waits, up to --sync-max-wait, and triggers once more)
  --sync-max-wait DURATION longest wait for the sync (default 15m)

${CLEANUP_OPTIONS_HELP}  The outcome counts and the report come first: then what is left is deleted (a progress line), and
  a last line says how many were deleted and how many are left.

Resume (a run is the same files by content, tenant and Graph endpoint; see autopilot-import status):
  --state-dir DIR          where runs are journaled and locked (default ./.autopilot-import); one process
                           at a time: another one refuses (exit 2) naming the holder's pid, host and start
  --fresh                  start these files over in this tenant: the run's journal is archived and every
                           valid row is submitted again (devices already registered then end as 806)
  --force-unlock           take the state directory's lock even if its holder seems alive (a lock of a dead
                           process on this host, or one not renewed for 10 minutes, is taken over anyway)
  Standard input (-) cannot be resumed: no journal is kept for it.

${GRAPH_OPTIONS_HELP}  (on a terminal, only errors are logged to stderr, so the progress bar stays readable)

Environment (a flag wins over its variable):
  AUTOPILOT_IMPORT_REPORT, _JSON, _BATCH_SIZE, _CONCURRENCY, _API, _POLL_TIMEOUT, _DRY_RUN, _VERIFY,
  _VERIFY_TIMEOUT, _UPDATE_EXISTING, _SYNC, _SYNC_WAIT, _SYNC_MAX_WAIT, _CLEANUP, _CLEANUP_MAX_TIME, _WRITE_LIMIT,
  _STATE_DIR, _FRESH, _FORCE_UNLOCK, _LOG_LEVEL,
  _LOG_FILE, _TENANT, _CLIENT_ID, _CERTIFICATE, _MANAGED_IDENTITY, _CLOUD, _GRAPH_URL, _AUTHORITY_HOST,
  _CA_CERT (all prefixed AUTOPILOT_IMPORT_); the standard AZURE_TENANT_ID, AZURE_CLIENT_ID,
  AZURE_CLIENT_SECRET, AZURE_CLIENT_SECRET_FILE, AZURE_CLIENT_CERTIFICATE_PATH,
  AZURE_CLIENT_CERTIFICATE_PASSWORD, AZURE_FEDERATED_TOKEN_FILE, AZURE_AUTHORITY_HOST;
  HTTPS_PROXY and NO_PROXY

Exit codes:
  0    every row imported, already registered or updated (the sync's and the cleanup's outcomes do not
       change it)
  1    some rows not imported (failed, invalid, duplicate or timed out): see the report
  2    usage or configuration error, an input file that cannot be read, or the state directory is
       in use by another process
  3    authentication failure or a fatal service error
  130  interrupted (SIGINT), 143 terminated (SIGTERM): run the same command again to resume (also when
       the signal came during the cleanup, after the report); a second signal stops at once (the
       journal stays consistent)

Examples:
  AZURE_CLIENT_SECRET=… autopilot-import import devices.csv --tenant contoso.onmicrosoft.com --client-id 11111111-…
  autopilot-import import batch*.csv --managed-identity --report out.jsonl --json
  autopilot-import import devices.csv --dry-run
`;

/** Refuses before any request when an input is missing or the report would overwrite one. */
async function preflight(config: ImportConfig, cwd: string): Promise<void> {
  if (config.files.filter((f) => f === "-").length > 1) throw new UsageError("'-' (standard input) can be given only once");
  for (const file of config.files) {
    if (file === "-") continue;
    const full = path.resolve(cwd, file);
    if (full === config.reportPath) throw new UsageError(`the report ${config.reportPath} would overwrite the input ${file}`);
    const info = await stat(full).catch((error: NodeJS.ErrnoException) => {
      throw new UsageError(`cannot read ${file}: ${error.code === "ENOENT" ? "no such file" : (error.code ?? String(error))}`);
    });
    if (!info.isFile()) throw new UsageError(`${file} is not a file`);
  }
}

async function dryRun(config: ImportConfig, context: CliContext): Promise<number> {
  const reader = openDeviceReader(config.files, { stdin: context.stdin, signal: context.signal, cwd: context.cwd });
  const plan = await planUploads(reader.rows(), config.batchSize);
  const errors = fileErrors(reader.files);
  for (const line of errors) context.stderr.write(`${line}\n`);
  context.stderr.write(formatPlan(plan));
  if (config.json) {
    const { rows, valid, invalid, duplicates, batchSize, uploads } = plan;
    context.stdout.write(`${JSON.stringify({ dryRun: true, rows, valid, invalid, duplicates, batchSize, uploads: uploads.length, plan: uploads })}\n`);
  }
  if (errors.length > 0) return ExitCode.usage;
  return plan.invalid + plan.duplicates > 0 ? ExitCode.someRowsFailed : ExitCode.ok;
}

async function run(args: readonly string[], context: CliContext): Promise<number> {
  const config = loadImportConfig(args, context.env, context.cwd);
  await preflight(config, context.cwd);
  if (config.dryRun) return dryRun(config, context);

  const state = await openImportState(config, context);
  try {
    return await runWithState(args, config, context, state);
  } finally {
    state?.close();
  }
}

async function runWithState(args: readonly string[], config: ImportConfig, context: CliContext, state: Awaited<ReturnType<typeof openImportState>>): Promise<number> {
  const logger = loggerFor(context, config.logLevel, config.logFile);
  logger.info(
    {
      files: config.files,
      batchSize: config.batchSize,
      concurrency: config.concurrency,
      api: config.api,
      pollTimeout: formatDuration(config.pollTimeoutMs),
      ...(state ? { run: state.key, journal: state.file } : {}),
    },
    "import starting",
  );
  const again = `autopilot-import ${commandLine(["import", ...args])}`;
  const result = await runImport(context, {
    graph: graphConfigFor(config.auth, config.concurrency),
    concurrency: config.concurrency,
    logger,
    input: config.files,
    stdin: context.stdin,
    cwd: context.cwd,
    api: config.api,
    batchSize: config.batchSize,
    pollTimeoutMs: config.pollTimeoutMs,
    report: config.reportPath,
    after: config.after,
    cleanup: config.cleanup,
    journal: state?.journal,
    onOutcomes: (outcomes, read) => {
      for (const line of fileErrors(read)) context.stderr.write(`${line}\n`);
      printOutcomes(context, outcomes, config.reportPath);
    },
  }).catch((error: unknown) => {
    if (context.signal.aborted) context.stderr.write(`autopilot-import: stopped; the rows finished so far are in ${config.reportPath}\n`);
    if (state) context.stderr.write(`autopilot-import: the run's progress is journaled in ${state.file}; to finish it, run the same command again:\n  ${again}\n`);
    throw error;
  });
  const { summary, files } = result;
  const errors = fileErrors(files);
  if (summary.cleanup) {
    const line = cleanupEndLine(summary.cleanup, config.cleanup.writeLimit, config.cleanup.maxTimeMs, state ? config.state.dir : undefined);
    context.stderr.write(`${line}\n`);
  }
  if (config.json) printJson(context, summary);
  logger.flush();
  return errors.length > 0 ? ExitCode.usage : exitCodeForImport(summary);
}

export const importCommand: Command = {
  name: "import",
  summary: "register the devices in hardware-hash CSV files with Windows Autopilot through Microsoft Graph",
  help,
  run,
};
