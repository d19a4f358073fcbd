import { openDeviceReader } from "../../csv/reader.js";
import { UsageError } from "../../errors.js";
import { formatPlan, planUploads } from "../../pipeline/plan.js";
import type { GraphConfig } from "../../graph/create.js";
import { graphConfigFor } from "../../run/graph.js";
import { signIn } from "../../run/sign-in.js";
import { deviceCodePrompt } from "../device-code-prompt.js";
import { openRunState, type RunState } from "../../run/state.js";
import { runTargetFor } from "../../run/target.js";
import { formatDuration } from "../../util/duration.js";
import { importOptions, importOwnOptions, loadImportConfig, type ImportConfig } from "../config/import.js";
import type { CliContext, Command } from "../context.js";
import { rowsNotImported, type CommandOutcome } from "../exit-codes.js";
import { profilesNotAssigned } from "../../profiles/status.js";
import { ENVIRONMENT_ONLY_NAMES, SIGN_IN_TITLE, graphParsing, logOptions, signInOptions } from "../options/graph.js";
import { commandHelp } from "../options/help.js";
import { checkInputFiles } from "../options/input-files.js";
import { afterOptions, cleanupOptions, fileOptions, stateOptions, submitOptions } from "../options/import.js";
import { cleanupEndLine, leftoversLine } from "../output/cleanup.js";
import { carriedArgs, commandText } from "../output/follow-up.js";
import { cleanupBudget } from "../config/cleanup-budget.js";
import { cleanupCommandTable } from "../config/cleanup.js";
import { syncOptions } from "../config/sync.js";
import { clearSyncDue, noteSyncDue, readSyncDue, syncPaid } from "../../state/sync-due.js";
import type { ImportSummary } from "../../pipeline/types.js";
import { graphOptions } from "../options/graph.js";
import { fileErrors, printJson, printOutcomes } from "../output/import-summary.js";
import { commandLine } from "../output/shell-words.js";
import { loggerFor } from "../output/terminal.js";
import { runImport } from "../run-import.js";
import { JournalLostError } from "../../state/journal-watch.js";
import { resumeNote, say } from "../output/run-state.js";
import { prepareGroups } from "../../groups/prepare.js";
import type { GroupsRequest } from "../../groups/add-to-groups.js";
import type { Logger } from "pino";
import { openRunArchive } from "../../archive/run-archive.js";

const help = commandHelp({
  about: `Usage: autopilot-import import <files...|-> [options]

Registers the devices in hardware-hash CSV files with Windows Autopilot through Microsoft Graph:
reads and validates every row, submits valid devices in uploads while the files are still being
read, follows each device until Graph reports it complete or failed, and writes a report with
one row per input row.

Every step is journaled in the state directory before it is taken, so an import that is interrupted
(a signal, a crash, a reboot, a lost network) is finished by running the same command again: rows
that have an outcome are not submitted again, uploads whose answer was lost are looked up in Graph
before anything is resent, staged devices are polled, and the report is written complete.

Arguments:
  files                    CSV files (UTF-8 with or without BOM, UTF-16, Windows-1252; comma, semicolon
                           or tab); - reads standard input`,
  sections: [
    ["Options", { ...importOwnOptions, ...fileOptions, ...submitOptions }],
    ["After the import (once every device is final)", afterOptions],
    ["Cleanup of staged records (on by default; the outcome counts and the report come first, then what is left is deleted)", cleanupOptions],
    ["Resume (a run is the same files by content, tenant and Graph endpoint; see autopilot-import status; standard input cannot be resumed)", stateOptions],
    [SIGN_IN_TITLE, signInOptions],
    ["Logs (on a terminal, only errors are logged to stderr, so the progress bar stays readable)", logOptions],
  ],
  environmentOnly: ENVIRONMENT_ONLY_NAMES,
  after: `Exit codes:
  0    every row imported, already registered or updated (the sync's and the cleanup's outcomes do not
       change it)
  1    some rows not imported (failed, invalid, duplicate or timed out): see the report; with
       --wait-profile, also some registered device without its deployment profile at the end; with
       --add-to-group, a registered device not added to every group (see the report's groups column)
  2    usage or configuration error, an input file that cannot be read, inputs with no device rows (a
       header only), the state directory is in use by another process, or this machine's files or
       folders cannot be used
  3    authentication failure or a fatal service error
  4    internal error (a bug: the message carries what to report)
  130  interrupted (SIGINT), 143 terminated (SIGTERM) before every row was final: run the same command
       again to resume; a second signal stops at once (the journal stays consistent). A signal during
       the cleanup or the sync's wait (after the report) stops them and exits 0 or 1 as the rows say

Examples:
  autopilot-import import devices.csv --device-code --tenant contoso.onmicrosoft.com
  AZURE_CLIENT_SECRET=… autopilot-import import devices.csv --tenant contoso.onmicrosoft.com --client-id 11111111-…
  autopilot-import import batch*.csv --managed-identity --report out.jsonl --json
  autopilot-import import devices.csv --dry-run
`,
});

/** Refuses before any request when an input is missing, unreadable or not a file, or an output would overwrite one. */
function preflight(config: ImportConfig, cwd: string): void {
  if (config.files.filter((f) => f === "-").length > 1) throw new UsageError("'-' (standard input) can be given only once");
  const outputs = [{ label: "the report", path: config.reportPath }, ...(config.logFile ? [{ label: "the log file", path: config.logFile }] : [])];
  checkInputFiles(config.files, cwd, { mustRead: true, outputs, ...(config.dryRun ? {} : { stateDir: config.state.dir }) });
}

async function dryRun(config: ImportConfig, context: CliContext): Promise<CommandOutcome> {
  const reader = openDeviceReader(config.files, { stdin: context.stdin, signal: context.signal, cwd: context.cwd, ...(config.overrides ? { overrides: config.overrides } : {}) });
  const plan = await planUploads(reader.rows(), config.batchSize);
  const errors = fileErrors(reader.files);
  for (const line of errors) context.stderr.write(`${line}\n`);
  context.stderr.write(formatPlan(plan));
  if (config.json) {
    const { rows, valid, invalid, duplicates, batchSize, uploads } = plan;
    context.stdout.write(`${JSON.stringify({ dryRun: true, rows, valid, invalid, duplicates, batchSize, uploads: uploads.length, plan: uploads })}\n`);
  }
  return { kind: "rows", unreadableFiles: errors.length, rowsNotDone: plan.invalid + plan.duplicates };
}

/** Damage before the journal's end: what the run does about it. */
function damageNote({ damage, file }: RunState): string {
  const skipped = `${damage.damaged} damaged journal line(s) skipped in ${file}`;
  if (damage.recovering === 0) return `${skipped}; every row is still accounted for`;
  return `${skipped}: it no longer proves what was sent, so the ${damage.recovering} row(s) it does not account for are looked up in Graph by serial number before anything is sent (those found are not sent again)`;
}

/** The state directory's lock and the run's journal; none for standard input (it cannot be read twice). */
async function openState(config: ImportConfig, context: CliContext): Promise<RunState | undefined> {
  if (config.files.includes("-")) {
    say(context, "standard input (-) cannot be resumed: no journal is kept for this run (save the input to a file to make the import resumable)");
    return undefined;
  }
  const state = await openRunState({
    stateDir: config.state.dir,
    files: config.files,
    cwd: context.cwd,
    target: runTargetFor(config.auth),
    fresh: config.state.fresh,
    forceUnlock: config.state.forceUnlock,
    command: "import",
    signal: context.signal,
    now: Date.now,
  });
  const replaced = state.replacedLock;
  if (replaced) {
    const holder = replaced.holder ? `process ${replaced.holder.pid} on host ${replaced.holder.host} since ${replaced.holder.since}` : "an unreadable lock file";
    say(context, `took over the lock of ${config.state.dir} left by ${holder} (${replaced.reason === "forced" ? "--force-unlock" : "no longer running"})`);
  }
  if (state.archived) say(context, `--fresh: starting these files over; the previous journal of this run is kept as ${state.archived}`);
  if (state.damage.tornBytes > 0) say(context, `the journal's last record was torn by an interrupted write (${state.damage.tornBytes} bytes): ignored and cut off`);
  if (state.damage.damaged > 0) say(context, damageNote(state));
  if (state.resumed) say(context, resumeNote(state.journal, state.key));
  return state;
}

async function run(args: readonly string[], context: CliContext): Promise<CommandOutcome> {
  const config = loadImportConfig(args, context.env, context.cwd);
  preflight(config, context.cwd);
  if (config.dryRun) return dryRun(config, context);
  // Signed in before the state directory is locked: a refused sign-in leaves no run behind.
  const signedIn = await signIn(graphConfigFor(config.auth, config.concurrency, deviceCodePrompt(context)), context.signal);
  try {
    const logger = loggerFor(context, config.logLevel, config.logFile, config.logFormat);
    // Before the state directory and any write: a group that is missing, ambiguous or dynamic costs no run.
    const groups = await prepareGroups(signedIn.graph, config.groups, { signal: context.signal, logger });
    const state = await openState(config, context);
    try {
      return await importWithState(args, config, context, state, signedIn.graph, logger, groups);
    } finally {
      state?.close();
    }
  } finally {
    signedIn.close();
  }
}

async function importWithState(
  args: readonly string[], config: ImportConfig, context: CliContext, state: RunState | undefined, graph: GraphConfig, logger: Logger, groups: GroupsRequest | undefined,
): Promise<CommandOutcome> {
  const { batchSize, concurrency, api } = config;
  logger.info({ files: config.files, batchSize, concurrency, api, pollTimeout: formatDuration(config.pollTimeoutMs), ...(state ? { run: state.key, journal: state.file } : {}) }, "import starting");
  // Someone at the terminal gets the prompt back soon: a short cleanup unless --cleanup-max-time says otherwise.
  const budget = cleanupBudget({ maxTimeMs: config.cleanup.maxTimeMs, given: config.cleanupMaxTimeGiven, interactive: context.stderr.isTTY === true });
  const cleanup = { ...config.cleanup, maxTimeMs: budget.maxTimeMs };
  // A sync an earlier import here could not trigger (the 10-minute rule, or a stop): this run owes it too.
  const syncOwed = state !== undefined && config.after.sync && readSyncDue(config.state.dir) !== undefined;
  const archive = config.archiveDir === undefined ? undefined : await openRunArchive(config.archiveDir, state?.key);
  const { summary, files, stoppedAfterOutcomes, toldSync, leftovers } = await runImport(context, {
    graph,
    concurrency,
    logger,
    files: config.files,
    stdin: context.stdin,
    cwd: context.cwd,
    api,
    batchSize,
    pollTimeoutMs: config.pollTimeoutMs,
    reportPath: config.reportPath,
    ...(config.reportDelimiter ? { reportDelimiter: config.reportDelimiter } : {}),
    ...(config.overrides ? { overrides: config.overrides } : {}),
    after: groups ? { ...config.after, addToGroups: { ...groups, tell: (line) => context.stderr.write(`${line}\n`) } } : config.after,
    cleanup,
    ...(state ? { leftovers: { stateDir: config.state.dir, target: runTargetFor(config.auth), ownJournal: state.file } } : {}),
    journal: state?.journal,
    syncOwed,
    onOutcomes: (outcomes, read) => printOutcomes(context, outcomes, read, config.reportPath),
    ...(archive ? { tapRows: (rows) => archive.tap.rows(rows), onOutcome: (row) => archive.tap.outcome(row) } : {}),
  }).finally(async () => {
    // What was archived stays, fsynced, whatever ended the run: a resumed run appends the rest.
    if (archive) say(context, await archive.close());
  }).catch((error: unknown) => {
    if (context.signal.aborted) say(context, `stopped; the rows finished so far are in ${config.reportPath}`);
    // A journal lost or unwritable cannot resume anything: its own line says what happened.
    if (state && !(error instanceof JournalLostError)) say(context, `the run's progress is journaled in ${state.file}; to finish it, run the same command again:\n  autopilot-import ${commandLine(["import", ...args])}`);
    throw error;
  });
  // A signal after the outcomes (in the cleanup or the sync's wait): every row is final, so the rows decide the exit code.
  if (stoppedAfterOutcomes) say(context, `stopped after the report was complete: every row's outcome is in ${config.reportPath}`);
  if (summary.sync && toldSync && summary.sync.message !== toldSync.message) context.stderr.write(`sync: ${summary.sync.message}\n`);
  if (state && summary.sync) keepSyncOwed(context, args, config, state, summary, syncOwed);
  if (summary.cleanup) {
    const finish = state ? cleanupFinishCommand(args, config.state.dir) : undefined;
    context.stderr.write(`${cleanupEndLine(summary.cleanup, cleanup.writeLimit, cleanup.maxTimeMs, finish, budget.source === "interactive" ? "interactive" : "given")}\n`);
  }
  if (leftovers) context.stderr.write(`${leftoversLine(leftovers, cleanupFinishCommand(args, config.state.dir))}\n`);
  if (groups) context.stderr.write(`${groups.tally.line()}\n`);
  if (config.json) printJson(context, summary, groups ? { groups: groups.tally.toJSON() } : {});
  logger.flush();
  // A device not added to every group, or without its profile, leaves the run's work not done (exit 1), as a failed row does.
  const notInGroups = groups?.tally.devicesFailed ?? 0;
  return { kind: "rows", unreadableFiles: fileErrors(files).length, rowsNotDone: rowsNotImported(summary) + profilesNotAssigned(summary.profiles) + notInGroups, noRows: summary.rows === 0 };
}

/**
 * What the state directory remembers of the sync: owed while devices this import (or an earlier one) imported wait
 * for a sync the 10-minute rule refused, paid once one is triggered; with the complete command that pays it now.
 */
function keepSyncOwed(context: CliContext, args: readonly string[], config: ImportConfig, state: RunState, summary: ImportSummary, owed: boolean): void {
  const sync = summary.sync!;
  if (syncPaid(sync)) {
    if (owed) clearSyncDue(config.state.dir);
    return;
  }
  if (sync.status !== "tooSoon" || (summary.imported === 0 && !owed)) return;
  noteSyncDue(config.state.dir, state.key, Date.now());
  const carried = carriedArgs(args, importOptions, { ...syncOptions, ...graphOptions }, { prepare: graphParsing.prepare, drop: ["json"] });
  context.stderr.write(`sync: to trigger it yourself once the window opens: ${commandText(["sync", "--wait", ...carried])}\n`);
}

/** The complete `cleanup` command for this import's leftovers: its state directory, sign-in, endpoint and write budget. */
function cleanupFinishCommand(args: readonly string[], stateDir: string): string {
  const carried = carriedArgs(args, importOptions, cleanupCommandTable, { prepare: graphParsing.prepare, drop: ["state-dir", "json", "force-unlock"] });
  return commandText(["cleanup", "--state-dir", stateDir, ...carried]);
}

export const importCommand: Command = {
  name: "import",
  summary: "register the devices in hardware-hash CSV files with Windows Autopilot through Microsoft Graph",
  help,
  options: importOptions,
  run,
};
