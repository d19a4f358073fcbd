import { StateLockedError } from "../../state/lock-error.js";
import { runInboxJob } from "../../inbox/job.js";
import { INBOX_LOCK_FILE } from "../../inbox/lock.js";
import { graphConfigFor, openGraph } from "../../run/graph.js";
import { deviceCodePrompt } from "../device-code-prompt.js";
import { runTargetFor } from "../../run/target.js";
import { inboxOptions, loadRunConfig, runOptions } from "../config/run.js";
import type { CliContext, Command } from "../context.js";
import { exitCodeOf, failureText, type CommandOutcome } from "../exit-codes.js";
import { ENVIRONMENT_ONLY_NAMES, graphHelpSections, graphParsing } from "../options/graph.js";
import { cleanupCommandTable } from "../config/cleanup.js";
import { carriedArgs, commandText } from "../output/follow-up.js";
import { commandHelp } from "../options/help.js";
import { afterOptions, cleanupOptions, fileOptions, stateOptions, submitOptions } from "../options/import.js";
import { printableName } from "../../inbox/names.js";
import { closingLine, fileLine, jobJson, lockedJson, skippedLines } from "../output/inbox-job.js";
import { loggerFor, startProgress, stepLine, type RunProgress } from "../output/terminal.js";

const help = commandHelp({
  about: `Usage: autopilot-import run --inbox DIR [options]

Drains an inbox folder, for scheduled jobs (a Kubernetes CronJob, an Azure Container Apps job, cron): imports every
CSV file in DIR/inbox, oldest first (by modification time, then name), each as an import of its own, and moves each
file, once every row has an outcome, to DIR/done/ (every row imported, already registered or updated) or DIR/failed/
(any row failed, timed out, invalid or a duplicate) with its report beside it: <name>.report.csv (or .jsonl). A file
that cannot be read at all (empty, binary, a required column missing) goes to failed/ with <name>.error.txt saying
why. When done/ or failed/ already holds that name, the file gets a UTC time suffix: devices-20250102T030405Z.csv;
a name too long for its report's name keeps its start, then ~ and 8 hex digits, so every name fits 255 bytes.

Nothing is read through a link: a symbolic link in the inbox, and a file the job has no permission to read, go to
failed/ as they are, with <name>.error.txt, and the job goes on. A file is read by a private name (a hard link in
the state directory, or a copy); one that changed (appended to, replaced) or was deleted while it was imported never
goes to done/: it goes to failed/ with a note (a deleted one leaves its report and note there). A file that cannot
be moved stays in the inbox, its report kept; the next job moves it without importing it again.

Taken: .csv and .tsv files (any delimiter the import reads). Left in the inbox for a later run: hidden files and
Office lock files (~$…), names ending in .partial, .part, .filepart, .tmp or .crdownload (write under such a name and
rename when complete), other extensions, and files modified within the settle time or whose size or time changes
while the job samples them (twice, the settle time apart: the job waits that long once).

Every file's import is journaled in the state directory (default DIR/.autopilot-import): a job that is stopped or
killed is continued by the next one without sending anything twice, and a file whose import finished but which was
not moved yet is moved without being imported again. Moves are renames within the volume, planned on disk first,
so a job killed while moving is finished by the next one. One job per inbox: a second one finds the inbox locked,
says which process holds it, and exits 0 (a scheduled job overlapping a long one is not a failure: that job is
working the inbox; with a state directory outside DIR (--state-dir, keep it on the inbox's volume), the inbox is
also locked by DIR/${INBOX_LOCK_FILE}). The Autopilot sync runs once per job, after the last file, when devices were
imported (also when an earlier job stopped before its sync).
`,
  sections: [
    ["Inbox", inboxOptions],
    ["Import (per file, as for autopilot-import import)", { ...fileOptions, ...submitOptions, ...afterOptions, ...stateOptions }],
    ["Cleanup of staged records (on by default; per file, after the file is moved: it never delays a move)", cleanupOptions],
    ...graphHelpSections,
  ],
  environmentOnly: ENVIRONMENT_ONLY_NAMES,
  after: `Output: a line per file as it is moved (rows, outcomes, where it went), a line per file left in the inbox, and a
closing line with the sync's outcome, on stderr; logs as for import.

Exit codes:
  0    every file taken went to done/, or there was nothing to take, or another job holds the inbox
  1    some file went to failed/ (rows not imported, a file that cannot be read, a link, a file changed or deleted
       during its import) or could not be moved: see its report or note
  2    usage or configuration error, or an inbox or state folder that cannot be used
  3    authentication failure or a fatal service error: the job stops, the file it was on stays in the inbox
  130  interrupted (SIGINT), 143 terminated (SIGTERM): the file it was on stays in the inbox, journaled; the next
       run continues it

Examples:
  autopilot-import run --inbox /data
  AUTOPILOT_IMPORT_INBOX=/data AUTOPILOT_IMPORT_MANAGED_IDENTITY=true autopilot-import run
  autopilot-import run --inbox ./drop --settle 30s --report-format jsonl --json
`,
});

/** A line for people, on stderr (stdout carries only --json). */
function say(context: CliContext, text: string): void {
  context.stderr.write(`${text}\n`);
}

async function run(args: readonly string[], context: CliContext): Promise<CommandOutcome> {
  const config = loadRunConfig(args, context.env, context.cwd);
  const logger = loggerFor(context, config.logLevel, config.logFile, config.logFormat);
  const graph = openGraph(graphConfigFor(config.auth, config.concurrency, deviceCodePrompt(context)), config.concurrency, { signal: context.signal, logger });
  let progress: RunProgress | undefined;
  try {
    // Signed in before the inbox and the state directory are locked: a refused sign-in leaves no run behind.
    await graph.client.signIn(context.signal);
    const result = await runInboxJob({
      dir: config.inbox,
      stateDir: config.stateDir,
      forceUnlock: config.forceUnlock,
      client: graph.client,
      limiter: graph.limiter,
      target: runTargetFor(config.auth),
      api: config.api,
      batchSize: config.batchSize,
      pollTimeoutMs: config.pollTimeoutMs,
      after: config.after,
      cleanup: config.cleanup,
      settleMs: config.settleMs,
      reportFormat: config.reportFormat,
      ...(config.reportDelimiter ? { reportDelimiter: config.reportDelimiter } : {}),
      ...(config.overrides ? { overrides: config.overrides } : {}),
      logger,
      signal: context.signal,
      events: {
        onFileStart: (file) => {
          progress = startProgress(context, logger);
          if (context.stderr.isTTY) say(context, `${printableName(file.name)}: importing…`);
        },
        onProgress: (snapshot) => progress?.update(snapshot),
        onStep: stepLine(context),
        onFileEnd: (file, result, journaled) => {
          if (result) progress?.finish();
          else progress?.abandon();
          progress = undefined;
          if (result) say(context, fileLine(result, config.inbox));
          else say(context, `${printableName(file.name)}: stays in the inbox; ${journaled === false ? "nothing of it was sent, the next run takes it again" : "its import is journaled and the next run continues it"}`);
        },
      },
    });
    for (const line of skippedLines(result.skipped, config.settleMs)) say(context, line);
    for (const { name, error } of result.unrecovered) say(context, printableName(`${name}: the move an earlier job planned failed again, the next run retries it: ${error}`));
    if (result.leftovers) {
      const { deleted, remaining } = result.leftovers;
      const rest = remaining > 0 ? `; ${remaining} still left: ${commandText(["cleanup", "--state-dir", config.stateDir, ...carriedArgs(args, runOptions, cleanupCommandTable, { prepare: graphParsing.prepare, drop: ["state-dir", "json", "force-unlock"] })])} deletes them` : "";
      say(context, `cleanup: ${deleted} staged record(s) left by earlier runs in the state directory deleted${rest}`);
    }
    const outcome: CommandOutcome = result.stopped
      ? { kind: "stopped", error: result.stopped.error }
      : { kind: "partial", left: result.files.filter((f) => f.outcome !== "done").length + result.unrecovered.length };
    // The reason's own lines (an internal error's stack) stay lines; only the file name is escaped.
    if (result.stopped) say(context, `autopilot-import: the job stopped${result.stopped.file ? ` on ${printableName(result.stopped.file)}` : ""}: ${failureText(result.stopped.error)}`);
    say(context, closingLine(result));
    if (config.json) context.stdout.write(`${JSON.stringify(jobJson(result, exitCodeOf(outcome)))}\n`);
    logger.flush();
    return outcome;
  } catch (error) {
    if (!(error instanceof StateLockedError)) throw error;
    // Overlapping schedules are normal: the holder is working this inbox, so there is nothing for this job to do.
    say(context, `autopilot-import: another job is working this inbox, nothing to do: ${error.message}`);
    const outcome: CommandOutcome = { kind: "done" };
    if (config.json) context.stdout.write(`${JSON.stringify(lockedJson(config.inbox, error.holder, exitCodeOf(outcome)))}\n`);
    return outcome;
  } finally {
    progress?.abandon();
    graph.close();
  }
}

export const runCommand: Command = {
  name: "run",
  summary: "drain an inbox folder: import each CSV in DIR/inbox and move it to done/ or failed/ with its report",
  help,
  options: runOptions,
  run,
};
