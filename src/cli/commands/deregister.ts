import path from "node:path";
import { deregisterDevices } from "../../deregister/deregister.js";
import { assertCanAsk, confirmDeletion } from "../../deregister/confirm.js";
import { DEREGISTER_REPORT_COLUMNS } from "../../deregister/report-columns.js";
import type { DeregisterSummary } from "../../deregister/types.js";
import { MANAGED_DEVICES_PERMISSION } from "../../deregister/permissions.js";
import { openDeviceListReader } from "../../devices/list-reader.js";
import { openOpState } from "../../devices/op-state.js";
import { openReportWriter } from "../../report/writer.js";
import { graphConfigFor, openGraph } from "../../run/graph.js";
import { signIn } from "../../run/sign-in.js";
import { runTargetFor } from "../../run/target.js";
import { normalizeTenant } from "../../state/fingerprint.js";
import { untilAborted } from "../../util/abort.js";
import { deregisterOptions, loadDeregisterConfig, type DeregisterConfig } from "../config/deregister.js";
import type { CliContext, Command } from "../context.js";
import { deviceCodePrompt } from "../device-code-prompt.js";
import type { CommandOutcome } from "../exit-codes.js";
import { ENVIRONMENT_ONLY_NAMES, graphHelpSections, graphOptions } from "../options/graph.js";
import { commandHelp } from "../options/help.js";
import { checkInputFiles } from "../options/input-files.js";
import { TTY_REDRAW_MS, loggerFor } from "../output/terminal.js";

const help = commandHelp({
  about: `Usage: autopilot-import deregister <file…> [--yes] [--dry-run] [--delete-intune-record] [--deadline DURATION] [--report FILE] [--json] [options]

Deletes the Windows Autopilot records of the serial numbers listed (a CSV with a Device Serial Number column, such as
an export; several files, or - for standard input), and nobody else's. Each serial is found exactly: none is
not_found, several are ambiguous, and nothing is guessed. A device still enrolled in Intune is left alone (enrolled,
with what to do) unless --delete-intune-record deletes its Intune managed device first. DELETEs go in JSON batches
within the write budget; the service removes a record some time after accepting its DELETE, so each one is followed
until it is gone (deleted) or the deadline passes (pending: run the same command again to follow it further).
Journaled in the state directory: a run stopped at any point goes on where it was when run again, and no record is
deleted twice. Without --yes it asks on a terminal and refuses anywhere else; --dry-run reads only and reports what
would go. Needs DeviceManagementServiceConfig.ReadWrite.All.
`,
  sections: [["Options", deregisterOptions], ...graphHelpSections],
  environmentOnly: ENVIRONMENT_ONLY_NAMES,
  after: `Report statuses: deleted, pending, enrolled, not_found, ambiguous, failed, invalid, duplicate (--dry-run: would_delete).

Exit codes:
  0    every row deleted (--dry-run: every row would be)
  1    some row was not: pending, enrolled, not_found, ambiguous, failed, invalid or duplicate
  2    usage error, an input that cannot be read, the state directory in use, or no --yes off a terminal (or no 'yes')
  3    authentication failure or a service error (a permission missing for every row)
  130  interrupted (SIGINT), 143 terminated (SIGTERM): run it again to go on

Examples:
  autopilot-import deregister returns.csv --dry-run
  autopilot-import deregister returns.csv --yes --report returns-report.csv
  autopilot-import deregister offboard.csv --yes --delete-intune-record --deadline 30m --json
`,
});

function countsLine(summary: DeregisterSummary, dryRun: boolean): string {
  const c = summary.counts;
  const parts: Array<[number, string]> = dryRun
    ? [[c.would_delete, "would be deleted"]]
    : [[c.deleted, "deleted"], [c.pending, "pending"]];
  parts.push([c.enrolled, "enrolled"], [c.not_found, "not found"], [c.ambiguous, "ambiguous"], [c.failed, "failed"], [c.invalid, "invalid"], [c.duplicate, "duplicate"]);
  const shown = parts.filter(([count], i) => count > 0 || i === 0).map(([count, word]) => `${count} ${word}`);
  return `deregister${dryRun ? " (dry run)" : ""}: ${summary.rows} row${summary.rows === 1 ? "" : "s"}: ${shown.join(", ")}`;
}

function summaryJson(config: DeregisterConfig, summary: DeregisterSummary, durationMs: number): string {
  const c = summary.counts;
  return JSON.stringify({
    report: config.op.reportPath,
    dryRun: config.op.dryRun,
    rows: summary.rows,
    deleted: c.deleted,
    pending: c.pending,
    enrolled: c.enrolled,
    notFound: c.not_found,
    ambiguous: c.ambiguous,
    failed: c.failed,
    invalid: c.invalid,
    duplicates: c.duplicate,
    wouldDelete: c.would_delete,
    intuneDeleted: summary.intuneDeleted,
    resumedRows: summary.resumedRows,
    missingPermission: summary.intunePermissionMissing ? MANAGED_DEVICES_PERMISSION : null,
    requests: summary.requests,
    durationMs,
  });
}

async function run(args: readonly string[], context: CliContext): Promise<CommandOutcome> {
  const config = loadDeregisterConfig(args, context.env, context.cwd);
  const { op } = config;
  const outputs = [{ label: "the report", path: config.op.reportPath }, ...(config.logFile ? [{ label: "the log file", path: config.logFile }] : [])];
  checkInputFiles(config.files, context.cwd, { mustRead: true, outputs, ...(op.dryRun ? {} : { stateDir: op.state.dir }) });
  const readerFor = (pinned?: Parameters<typeof openDeviceListReader>[1]["pinned"]) =>
    openDeviceListReader(config.files, { cwd: context.cwd, stdin: context.stdin, signal: context.signal, fields: [], ...(pinned ? { pinned } : {}) });
  if (!config.yes && !op.dryRun) {
    assertCanAsk(context, config.files);
    await confirmDeletion(context, readerFor(), config.deleteIntuneRecord);
  }
  const logger = loggerFor(context, config.logLevel, config.logFile, config.logFormat);
  const started = Date.now();
  // Signed in before the state is opened and the report created: a refused sign-in leaves nothing behind.
  const signedIn = await signIn(graphConfigFor(config.auth, 1, deviceCodePrompt(context)), context.signal);
  const graph = openGraph(signedIn.graph, 1, { signal: context.signal, logger });
  const target = runTargetFor(config.auth);
  const state = op.dryRun
    ? undefined
    : await openOpState({
        stateDir: op.state.dir,
        command: "deregister",
        inputs: config.files,
        tenant: normalizeTenant(target.tenant),
        endpoint: target.endpoint,
        // The run's key and what status shows: the one option that changes what is deleted.
        plan: config.deleteIntuneRecord ? "--delete-intune-record" : "",
        fresh: op.state.fresh,
        forceUnlock: op.state.forceUnlock,
        cwd: context.cwd,
        signal: context.signal,
      }).catch((error: unknown) => {
        graph.close();
        signedIn.close();
        throw error;
      });
  const tty = context.stderr.isTTY === true;
  let shownAt = 0;
  try {
    for (const note of state?.notes ?? []) context.stderr.write(`deregister: ${note}\n`);
    const reader = readerFor(state?.pinned);
    const report = await openReportWriter(config.op.reportPath, DEREGISTER_REPORT_COLUMNS, { format: op.reportFormat });
    const fileIndex = new Map(config.files.map((file, index) => [file, index] as const));
    logger.info({ files: config.files, dryRun: op.dryRun, deleteIntuneRecord: config.deleteIntuneRecord, deadlineMs: config.deadlineMs }, "deregister starting");
    const summary = await deregisterDevices({
      client: graph.client,
      rows: () => untilAborted(reader.rows(), context.signal),
      keyOf: (location) => `${fileIndex.get(location.file) ?? 0}:${location.line}`,
      journal: state?.journal,
      deleteIntuneRecord: config.deleteIntuneRecord,
      deadlineMs: config.deadlineMs,
      writeLimit: op.writeLimit,
      report: (row) => report.write(row),
      signal: context.signal,
      logger,
      onProgress: (counts, following) => {
        if (!tty || Date.now() - shownAt < TTY_REDRAW_MS) return;
        shownAt = Date.now();
        context.stderr.write(`\r\x1b[Kderegister: ${counts.deleted} deleted, ${following} being removed by the service, ${counts.enrolled + counts.not_found + counts.ambiguous + counts.failed} not deleted`);
      },
    });
    if (tty && shownAt > 0) context.stderr.write("\r\x1b[K");
    await report.close();
    if (state && summary.counts.pending === 0) state.journal.finish();
    const durationMs = Date.now() - started;
    for (const file of reader.files) if (file.error) context.stderr.write(`deregister: ${file.path}: ${file.error}\n`);
    // An input that could not be read at all is told once, by the line above; a summary of no rows adds nothing.
    if (summary.rows > 0 || reader.files.every((file) => file.error === null)) {
      context.stderr.write(`${countsLine(summary, op.dryRun)}; report: ${path.relative(context.cwd, config.op.reportPath) || config.op.reportPath}\n`);
    }
    if (summary.intunePermissionMissing) context.stderr.write(`deregister: deleting Intune managed devices was refused: the app needs ${MANAGED_DEVICES_PERMISSION}\n`);
    logger.info({ ...summary, durationMs }, "deregister finished");
    if (op.json) context.stdout.write(`${summaryJson(config, summary, durationMs)}\n`);
    const done = op.dryRun ? summary.counts.would_delete : summary.counts.deleted;
    return { kind: "rows", unreadableFiles: reader.files.filter((file) => file.error !== null).length, rowsNotDone: summary.rows - done, noRows: summary.rows === 0 };
  } finally {
    if (tty && shownAt > 0) context.stderr.write("\r\x1b[K");
    state?.close();
    graph.close();
    signedIn.close();
    logger.flush();
  }
}

export const deregisterCommand: Command = {
  name: "deregister",
  summary: "delete the Autopilot records of the serials listed (enrolled devices kept unless --delete-intune-record), followed until gone",
  help,
  options: { ...deregisterOptions, ...graphOptions },
  run,
};
