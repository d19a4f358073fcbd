import { AutopilotImportError } from "../../errors.js";
import { AdaptiveLimiter } from "../../graph/adaptive-limit.js";
import { resolveEndpoints } from "../../graph/clouds.js";
import { createGraphClient } from "../../graph/create.js";
import { runInboxJob } from "../../inbox/job.js";
import { INBOX_LOCK_FILE } from "../../inbox/lock.js";
import { DEFAULT_SETTLE_MS } from "../../inbox/settle.js";
import { DEFAULT_BATCH_SIZE, DEFAULT_CONCURRENCY, MAX_BATCH_SIZE, MAX_CONCURRENCY } from "../../pipeline/defaults.js";
import { formatDuration } from "../../pipeline/duration.js";
import { StateLockedError } from "../../state/lock-error.js";
import type { CliContext, Command } from "../context.js";
import { ExitCode, exitCodeFor } from "../exit-codes.js";
import { CLEANUP_OPTIONS_HELP } from "../cleanup-options.js";
import { GRAPH_OPTIONS_HELP } from "../graph-options.js";
import { graphConfigFor, loggerFor, startProgress, stepLine, type RunProgress } from "../import-run.js";
import { loadRunConfig } from "../run-config.js";
import { closingLine, fileLine, jobJson, lockedJson, skippedLines } from "../run-output.js";

const help = `Usage: autopilot-import run --inbox DIR [options]

Drains an inbox folder, for scheduled jobs (a Kubernetes CronJob, an Azure Container Apps job, cron): imports every
CSV file in DIR/inbox, oldest first (by modification time, then name), each as an import of its own, and moves each
file, once every row has an outcome, to DIR/done/ (every row imported, already registered or updated) or DIR/failed/
(any row failed, timed out, invalid or a duplicate) with its report beside it: <name>.report.csv (or .jsonl). A file
that cannot be read at all (empty, binary, a required column missing) goes to failed/ with <name>.error.txt saying
why. When done/ or failed/ already holds that name, the file gets a UTC time suffix: devices-20250102T030405Z.csv.

Taken: .csv and .tsv files (any delimiter the import reads). Left in the inbox for a later run: hidden files and
Office lock files (~$…), names ending in .partial, .part, .filepart, .tmp or .crdownload (write under such a name and
rename when complete), other extensions, and files modified within the settle time or whose size or time changes
while the job samples them (twice, the settle time apart: the job waits that long once).

Every file's import is journaled in the state directory (default DIR/.autopilot-import): a job that is stopped or
killed is continued by the next one without sending anything twice, and a file whose import finished but which was
not moved yet is moved without being imported again. Moves are renames within the volume, planned on disk first,
so a job killed while moving is finished by the next one. One job per inbox: a second one finds the inbox locked,
says which process holds it, and exits 0 (a scheduled job overlapping a long one is not a failure: that job is
working the inbox). The Autopilot sync runs once per job, after the last file, when devices were imported (also
when an earlier job stopped before its sync).

Inbox:
  --inbox DIR              the folder holding inbox/, done/ and failed/ (inbox/, done/ and failed/ are created)
  --settle DURATION        how long a file must be unchanged before it is taken (default ${formatDuration(DEFAULT_SETTLE_MS)}; 0: at once)
  --report-format FORMAT   csv (default) or jsonl: the reports beside the moved files
  --json                   print one JSON object on stdout at the end: {"inbox","files","skipped","recovered",
                           "sync","stopped","locked","exitCode","durationMs"}; each file is {"name","outcome"
                           (done|failed),"rows","valid","invalid","duplicates","submitted","imported",
                           "alreadyRegistered","updated","failed","timedOut","registered","uploads","requests",
                           "durationMs","movedTo","report","note","error","resumed"}; skipped: [{"name","reason"}]
                           (hidden, partial, extension, notFile, young, changing, changed, gone); sync:
                           {"status","message"[,"retryAt"]}; stopped: null or {"file","error"}; locked: null or
                           the holder {"pid","host","since","command"}

Import (per file, as for autopilot-import import):
  --batch-size N           devices per upload, 1..${MAX_BATCH_SIZE} (default ${DEFAULT_BATCH_SIZE})
  --concurrency N          uploads in flight, 1..${MAX_CONCURRENCY} (default ${DEFAULT_CONCURRENCY}); lowered automatically on 429
  --api import|upload      submit with the import action (default) or the beta uploads resource
  --poll-timeout DURATION  how long a device may stay in progress after submission (default 30m)
  --no-verify              do not confirm that imported devices appear in Windows Autopilot devices
  --verify-timeout DURATION  how long to keep re-checking devices not registered yet (default 10m; 0: once)
  --update-existing        for devices already registered (806), set group tag and user from the CSV when they differ
  --no-sync                do not trigger the Autopilot sync at the end of the job
  --no-sync-wait           if the 10-minute rule refuses the sync, report when it can be run (the next job tries
                           again) instead of waiting for it
  --sync-max-wait DURATION longest wait for the sync (default 15m)
  --state-dir DIR          journals and lock (default DIR/.autopilot-import: keep it on the inbox's volume)
  --force-unlock           take the inbox's lock even if its holder seems alive (a lock of a dead process on this
                           host, or one not renewed for 10 minutes, is taken over anyway); with a state directory
                           outside DIR, the inbox is also locked by DIR/${INBOX_LOCK_FILE}

${CLEANUP_OPTIONS_HELP.replace("Cleanup of staged records (on by default):", "Cleanup of staged records (on by default; per file, after the file is moved: it never delays a move):")}
${GRAPH_OPTIONS_HELP}
Environment (a flag wins over its variable):
  AUTOPILOT_IMPORT_INBOX, _SETTLE, _REPORT_FORMAT, _JSON, _BATCH_SIZE, _CONCURRENCY, _API, _POLL_TIMEOUT, _VERIFY,
  _VERIFY_TIMEOUT, _UPDATE_EXISTING, _SYNC, _SYNC_WAIT, _SYNC_MAX_WAIT, _STATE_DIR, _FORCE_UNLOCK, _CLEANUP,
  _CLEANUP_MAX_TIME, _WRITE_LIMIT, _LOG_LEVEL, _LOG_FILE, _TENANT, _CLIENT_ID, _CERTIFICATE, _MANAGED_IDENTITY, _CLOUD, _GRAPH_URL, _AUTHORITY_HOST, _CA_CERT
  (all prefixed AUTOPILOT_IMPORT_); the standard AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET,
  AZURE_CLIENT_SECRET_FILE, AZURE_CLIENT_CERTIFICATE_PATH, AZURE_CLIENT_CERTIFICATE_PASSWORD,
  AZURE_FEDERATED_TOKEN_FILE, AZURE_AUTHORITY_HOST; HTTPS_PROXY and NO_PROXY

Output: a line per file as it is moved (rows, outcomes, where it went), a line per file left in the inbox, and a
closing line with the sync's outcome, on stderr; logs as for import.

Exit codes:
  0    every file taken went to done/, or there was nothing to take, or another job holds the inbox
  1    some file went to failed/ (rows not imported, or a file that cannot be read): see its report or note
  2    usage or configuration error, or an inbox or state folder that cannot be used
  3    authentication failure or a fatal service error: the job stops, the file it was on stays in the inbox
  130  interrupted (SIGINT), 143 terminated (SIGTERM): the file it was on stays in the inbox, journaled; the next
       run continues it

Examples:
  autopilot-import run --inbox /data
  AUTOPILOT_IMPORT_INBOX=/data AUTOPILOT_IMPORT_MANAGED_IDENTITY=true autopilot-import run
  autopilot-import run --inbox ./drop --settle 30s --report-format jsonl --json
`;

/** A line for people, on stderr (stdout carries only --json). */
function say(context: CliContext, text: string): void {
  context.stderr.write(`${text}\n`);
}

async function run(args: readonly string[], context: CliContext): Promise<number> {
  const config = loadRunConfig(args, context.env, context.cwd);
  const logger = loggerFor(context, config.logLevel, config.logFile);
  const limiter = new AdaptiveLimiter({ max: config.concurrency });
  const client = createGraphClient(graphConfigFor(config.auth, config.concurrency), { signal: context.signal, logger, throttleObserver: limiter });
  let progress: RunProgress | undefined;
  try {
    const result = await runInboxJob({
      dir: config.inbox,
      stateDir: config.stateDir,
      forceUnlock: config.forceUnlock,
      client,
      limiter,
      target: { tenant: config.auth.tenantId, endpoint: resolveEndpoints({ cloud: config.auth.cloud, graphUrl: config.auth.graphUrl }).graphRoot },
      api: config.api,
      batchSize: config.batchSize,
      pollTimeoutMs: config.pollTimeoutMs,
      after: config.after,
      ...(config.cleanup.enabled ? { cleanup: { maxTimeMs: config.cleanup.maxTimeMs, writeLimit: config.cleanup.writeLimit } } : {}),
      settleMs: config.settleMs,
      reportFormat: config.reportFormat,
      logger,
      signal: context.signal,
      events: {
        onFileStart: (file) => {
          progress = startProgress(context, logger);
          if (context.stderr.isTTY) say(context, `${file.name}: importing…`);
        },
        onProgress: (snapshot) => progress?.update(snapshot),
        onStep: stepLine(context),
        onFileEnd: (file, result) => {
          if (result) progress?.finish();
          else progress?.abandon();
          progress = undefined;
          if (result) say(context, fileLine(result, config.inbox));
          else say(context, `${file.name}: stays in the inbox; its import is journaled and the next run continues it`);
        },
      },
    });
    for (const line of skippedLines(result.skipped, config.settleMs)) say(context, line);
    const code = result.stopped ? exitCodeFor(result.stopped.error) : result.files.some((f) => f.outcome === "failed") ? ExitCode.someRowsFailed : ExitCode.ok;
    if (result.stopped) {
      const error = result.stopped.error;
      const why = error instanceof Error ? error.message : String(error);
      // An unexpected failure is a bug: show enough to report it.
      const text = !(error instanceof AutopilotImportError) && error instanceof Error ? `internal error: ${error.stack ?? why}` : why;
      say(context, `autopilot-import: the job stopped${result.stopped.file ? ` on ${result.stopped.file}` : ""}: ${text}`);
    }
    say(context, closingLine(result));
    if (config.json) context.stdout.write(`${JSON.stringify(jobJson(result, code))}\n`);
    logger.flush();
    return code;
  } catch (error) {
    if (!(error instanceof StateLockedError)) throw error;
    // Overlapping schedules are normal: the holder is working this inbox, so there is nothing for this job to do.
    say(context, `autopilot-import: another job is working this inbox, nothing to do: ${error.message}`);
    if (config.json) context.stdout.write(`${JSON.stringify(lockedJson(config.inbox, error.holder, ExitCode.ok))}\n`);
    return ExitCode.ok;
  } finally {
    progress?.abandon();
    client.close();
  }
}

export const runCommand: Command = {
  name: "run",
  summary: "drain an inbox folder: import each CSV in DIR/inbox and move it to done/ or failed/ with its report",
  help,
  run,
};
