import { rmSync } from "node:fs";
import { WritePacer } from "../../after/write-pacer.js";
import { openDeviceListReader } from "../../devices/list-reader.js";
import { openOpState } from "../../devices/op-state.js";
import { openReportWriter } from "../../report/writer.js";
import { graphConfigFor, openGraph } from "../../run/graph.js";
import { signIn } from "../../run/sign-in.js";
import { runTargetFor } from "../../run/target.js";
import { sleep } from "../../util/abort.js";
import { describeChange } from "../../update/changes.js";
import { UPDATE_REPORT_COLUMNS, rowsNotDone, type UpdateCounts, type UpdateReportRow } from "../../update/report.js";
import type { FileSummary } from "../../csv/types.js";
import type { ReportWriter } from "../../report/writer.js";
import { updateDevices } from "../../update/update-devices.js";
import { fileItems, whereItems } from "../../update/update-items.js";
import { countsLine, planTotals, updatePlanKey } from "../../update/summary.js";
import { loadUpdateConfig, updateDeviceOpOptions, updateOptions, updateOwnOptions, type UpdateConfig } from "../config/update.js";
import type { CliContext, Command } from "../context.js";
import { UsageError } from "../../errors.js";
import { checkInputFiles } from "../options/input-files.js";
import { deviceCodePrompt } from "../device-code-prompt.js";
import type { CommandOutcome } from "../exit-codes.js";
import { ENVIRONMENT_ONLY_NAMES, graphHelpSections } from "../options/graph.js";
import { commandHelp } from "../options/help.js";
import { TTY_REDRAW_MS, loggerFor } from "../output/terminal.js";
import { prepareGroups } from "../../groups/prepare.js";
import { tagRuleHint } from "../../groups/tag-rule-hint.js";
import type { GroupTally } from "../../groups/add-to-groups.js";

const help = commandHelp({
  about: `Usage: autopilot-import update <file…> | --where SELECTOR  [--set-group-tag T | --clear-group-tag] [--set-user U | --clear-user]
                               [--set-display-name N] [--dry-run] [--report FILE] [--json] [options]

Changes the group tag, assigned user or display name of devices already registered in Windows Autopilot, through
updateDeviceProperties, only where they differ. Either a CSV file (several, or - for standard input) whose rows name
devices by Device Serial Number: its Group Tag, Assigned User and Display Name columns give the wanted values (an empty
cell empties the value, a missing column leaves it alone), which is what an edited \`autopilot-import export\` file is;
or --where, which selects devices from the tenant's list. --set-* and --clear-* apply to every device, over the file's
columns. A serial that matches no registered device, or several, is reported and never guessed. Writes go in JSON
batches within the write budget (--write-limit); the run is journaled in the state directory, so running the same
command again after an interruption goes on where it stopped and writes nothing twice. --dry-run looks devices up and
prints the plan (device, field, old → new) without writing anything.
Needs DeviceManagementServiceConfig.ReadWrite.All (--dry-run: .Read.All).
`,
  sections: [["Options", { ...updateOwnOptions, ...updateDeviceOpOptions }], ...graphHelpSections],
  environmentOnly: ENVIRONMENT_ONLY_NAMES,
  after: `Report statuses: updated, unchanged, would_update (--dry-run), not_found, ambiguous, failed, invalid, duplicate.

Exit codes:
  0    every row was updated or unchanged (--dry-run: would_update too), and with --add-to-group in every group
  1    some row was not_found, ambiguous, failed, invalid or duplicate, or a device could not be added to a group
       (see the report's status and groups columns)
  2    usage or input error (a file and --where, neither, contradicting options, a file that cannot be read), or the
       state directory (locked by another run, not writable)
  3    authentication failure or a service error (the journal says what was sent: run the same command again)
  130  interrupted (SIGINT), 143 terminated (SIGTERM): run the same command again to go on

Examples:
  autopilot-import update devices.csv --dry-run
  autopilot-import update devices.csv --set-group-tag Sales
  autopilot-import update --where "group-tag=" --set-group-tag Unassigned
  autopilot-import update --where "manufacturer=HP and purchase-order=PO-1001" --clear-user
`,
});

function summaryJson(config: UpdateConfig, counts: UpdateCounts, requests: number, durationMs: number, tally: GroupTally | undefined): string {
  // Keys in the import's and deregister's style (camelCase); the report's statuses keep their snake_case names.
  const { would_update: wouldUpdate, not_found: notFound, duplicate: duplicates, ...same } = counts;
  return JSON.stringify({
    ...same,
    wouldUpdate,
    notFound,
    duplicates,
    rows: Object.values(counts).reduce((a, b) => a + b, 0),
    dryRun: config.dryRun,
    requests,
    durationMs,
    report: config.reportPath,
    ...(tally ? { groups: tally.toJSON() } : {}),
  });
}

/** Refuses before any request when an input is missing, unreadable or not a file, or an output would overwrite one. */
function preflight(config: UpdateConfig, cwd: string): void {
  if (config.files.filter((f) => f === "-").length > 1) throw new UsageError("'-' (standard input) can be given only once");
  const outputs = [{ label: "the report", path: config.reportPath }, ...(config.logFile ? [{ label: "the log file", path: config.logFile }] : [])];
  checkInputFiles(config.files, cwd, { mustRead: true, outputs, ...(config.dryRun ? {} : { stateDir: config.state.dir }) });
}

/** The end of a run on stderr (one line: the counts, or why a file gave nothing) and its outcome. */
function tellOutcome(context: CliContext, config: UpdateConfig, counts: UpdateCounts, files: readonly FileSummary[] | undefined): CommandOutcome {
  const rows = Object.values(counts).reduce((a, b) => a + b, 0);
  const unreadable = (files ?? []).filter((file) => file.error !== null);
  // A file that cannot be read (or holds no row) is the one thing to say: exit 2.
  for (const file of unreadable) context.stderr.write(`autopilot-import: ${file.path}: ${file.error}${file.rows > 0 ? ` (its first ${file.rows} rows are in the report ${config.reportPath})` : ""}\n`);
  if (files && rows === 0 && unreadable.length === 0) context.stderr.write(`autopilot-import: no device rows in ${config.files.join(", ")} (a header only, or an empty file): nothing was changed\n`);
  const told = rows > 0 ? countsLine(counts) : `no device matches --where ${config.selector?.text ?? ""}`;
  if (unreadable.length === 0 && (rows > 0 || !files)) context.stderr.write(`update${config.dryRun ? " (dry run)" : ""}: ${told}; report: ${config.reportPath}\n`);
  return { kind: "rows", unreadableFiles: unreadable.length, rowsNotDone: rowsNotDone(counts), noRows: files !== undefined && rows === 0 };
}

async function run(args: readonly string[], context: CliContext): Promise<CommandOutcome> {
  const config = loadUpdateConfig(args, context.env, context.cwd);
  preflight(config, context.cwd);
  const logger = loggerFor(context, config.logLevel, config.logFile, config.logFormat);
  const started = Date.now();
  const target = runTargetFor(config.auth);
  // Signed in before the state and the report are touched: a refused sign-in leaves nothing behind.
  const signedIn = await signIn(graphConfigFor(config.auth, 1, deviceCodePrompt(context)), context.signal);
  const graph = openGraph(signedIn.graph, 1, { signal: context.signal, logger });
  // Before the state and the report: a group that is missing, ambiguous or dynamic costs no run.
  const groups = await prepareGroups(signedIn.graph, config.groups, { signal: context.signal, logger }).catch((error: unknown) => {
    graph.close();
    signedIn.close();
    throw error;
  });
  const state = config.dryRun
    ? undefined
    : await openOpState({
        stateDir: config.state.dir, command: "update", inputs: config.files, where: config.selector?.text,
        tenant: target.tenant ?? "", endpoint: target.endpoint, plan: updatePlanKey(config.overrides),
        fresh: config.state.fresh, forceUnlock: config.state.forceUnlock, cwd: context.cwd, signal: context.signal,
      }).catch((error: unknown) => {
        graph.close();
        signedIn.close();
        throw error;
      });
  const tty = context.stderr.isTTY === true;
  let shownAt = 0;
  let report: ReportWriter<UpdateReportRow> | undefined;
  try {
    const requestsAtStart = graph.client.stats.requests;
    report = await openReportWriter(config.reportPath, UPDATE_REPORT_COLUMNS, { format: config.reportFormat });
    const reader = config.selector ? undefined : openDeviceListReader(config.files, {
      fields: ["groupTag", "assignedUserPrincipalName", "displayName"], stdin: context.stdin, cwd: context.cwd, signal: context.signal, pinned: state?.pinned,
    });
    for (const note of state?.notes ?? []) context.stderr.write(`update: ${note}\n`);
    const hint = groups && config.overrides.groupTag ? tagRuleHint([config.overrides.groupTag]) : undefined;
    if (hint) context.stderr.write(`${hint}\n`);
    logger.info({ files: config.files, where: config.selector?.text, dryRun: config.dryRun, resumed: state?.journal.resumed ?? false }, "update starting");
    const items = reader ? fileItems(reader, config.overrides) : await whereItems(graph.client, config.selector!, config.overrides, state?.journal, context.signal);
    const counts = await updateDevices(
      {
        client: graph.client, journal: state?.journal, report, pacer: new WritePacer(config.writeLimit, Date.now()),
        signal: context.signal, now: Date.now, sleep, logger,
        // A dry run writes nothing: its groups were only checked.
        ...(groups && !config.dryRun ? { addToGroups: groups } : {}),
        onPlan: config.json ? undefined : (row, changes) => {
          for (const change of changes) context.stdout.write(`${row.serialNumber}\t${row.deviceId}\t${describeChange(change)}\n`);
        },
        onProgress: (progress) => {
          if (!tty || Date.now() - shownAt < TTY_REDRAW_MS) return;
          shownAt = Date.now();
          context.stderr.write(`\rupdating: ${countsLine(progress)}`);
        },
      },
      items,
    );
    if (tty && shownAt > 0) context.stderr.write("\r\x1b[K");
    await report.close();
    state?.journal.finish();
    const durationMs = Date.now() - started;
    const requests = graph.client.stats.requests - requestsAtStart;
    logger.info({ counts, requests, durationMs }, "update finished");
    if (config.dryRun && !config.json) context.stdout.write(`${planTotals(counts)}\n`);
    const tally = groups && !config.dryRun ? groups.tally : undefined;
    if (tally) context.stderr.write(`${tally.line()}\n`);
    if (config.json) context.stdout.write(`${summaryJson(config, counts, requests, durationMs, tally)}\n`);
    const told = tellOutcome(context, config, counts, reader?.files);
    // A device not added to every group leaves the run's work not done (exit 1).
    return told.kind === "rows" ? { ...told, rowsNotDone: told.rowsNotDone + (tally?.devicesFailed ?? 0) } : told;
  } catch (error) {
    // Stopped before any row was settled (a refused sign-in or listing): no empty report is left behind.
    if (report?.rows === 0) {
      await report.close().catch(() => undefined);
      rmSync(config.reportPath, { force: true });
    }
    throw error;
  } finally {
    if (tty && shownAt > 0) context.stderr.write("\r\x1b[K");
    state?.close();
    graph.close();
    signedIn.close();
    logger.flush();
  }
}

export const updateCommand: Command = {
  name: "update",
  summary: "change group tags, assigned users and display names of registered devices (from a file or --where), only where they differ",
  help,
  options: updateOptions,
  run,
};
