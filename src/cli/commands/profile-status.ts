import path from "node:path";
import { openDeviceListReader } from "../../devices/list-reader.js";
import { profileStatusOfList, type ProfileStatusRow, type ProfileStatusSummary } from "../../profiles/list-status.js";
import { profileCountsText } from "../../profiles/status.js";
import type { ReportColumn } from "../../report/columns.js";
import { openReportWriter } from "../../report/writer.js";
import { graphConfigFor, openGraph } from "../../run/graph.js";
import { signIn } from "../../run/sign-in.js";
import { untilAborted } from "../../util/abort.js";
import { loadProfileStatusConfig, profileStatusOptions, type ProfileStatusConfig } from "../config/profile-status.js";
import type { CliContext, Command } from "../context.js";
import { deviceCodePrompt } from "../device-code-prompt.js";
import type { CommandOutcome } from "../exit-codes.js";
import { ENVIRONMENT_ONLY_NAMES, graphHelpSections, graphOptions } from "../options/graph.js";
import { commandHelp } from "../options/help.js";
import { checkInputFiles } from "../options/input-files.js";
import { TTY_REDRAW_MS, loggerFor } from "../output/terminal.js";

const help = commandHelp({
  about: `Usage: autopilot-import profile-status <file…> [--wait [DURATION]] [--report FILE] [--json] [options]

Reports the Windows Autopilot deployment profile assignment of the serial numbers listed (a CSV with a Device Serial
Number column: an export, an import file; several files, or - for standard input): assigned (with the profile's name),
pending, notAssigned (with the likely reason: no profile targets the device's group tag, or dynamic group rules are
still catching up), or failed. Each serial is found exactly: none is not_found, several are ambiguous. --wait follows
the devices not assigned yet until each is assigned or failed, or the time is up (then: pending), reading all of them
at once per round (batched, or one listing), never one loop per device. Reads only; needs
DeviceManagementServiceConfig.Read.All.
`,
  sections: [["Options", profileStatusOptions], ...graphHelpSections],
  environmentOnly: ENVIRONMENT_ONLY_NAMES,
  after: `Report statuses: assigned, pending, notAssigned, failed, not_found, ambiguous, unchecked (the lookup failed), invalid, duplicate.

Exit codes:
  0    every row assigned
  1    some row was not (pending, notAssigned, failed, not_found, ambiguous, unchecked, invalid or duplicate)
  2    usage error, or an input that cannot be read
  3    authentication failure or a service error
  130  interrupted (SIGINT), 143 terminated (SIGTERM)

Examples:
  autopilot-import profile-status devices.csv
  autopilot-import profile-status devices.csv --wait 45m --report profiles.csv --json
`,
});

const COLUMNS: readonly ReportColumn<ProfileStatusRow>[] = [
  { header: "file", value: (row) => row.file },
  { header: "line", value: (row) => row.line },
  { header: "serialNumber", value: (row) => row.serialNumber },
  { header: "status", value: (row) => row.status },
  { header: "profileName", value: (row) => row.profileName },
  { header: "groupTag", value: (row) => row.groupTag },
  { header: "autopilotDeviceId", value: (row) => row.autopilotDeviceId },
  { header: "message", value: (row) => row.message },
];

function countsLine(s: ProfileStatusSummary): string {
  const others: Array<[number, string]> = [[s.ambiguous, "ambiguous"], [s.unchecked, "not checked"], [s.invalid, "invalid"], [s.duplicates, "duplicate"]];
  const rest = others.filter(([count]) => count > 0).map(([count, word]) => `, ${count} ${word}`).join("");
  return `profile-status: ${s.rows} row${s.rows === 1 ? "" : "s"}: ${profileCountsText(s)}${rest}`;
}

function summaryJson(config: ProfileStatusConfig, s: ProfileStatusSummary, requests: number, durationMs: number): string {
  const { rows, assigned, pending, notAssigned, failed, notFound, ambiguous, unchecked, invalid, duplicates } = s;
  return JSON.stringify({ report: config.reportPath, rows, assigned, pending, notAssigned, failed, notFound, ambiguous, unchecked, invalid, duplicates, requests, durationMs });
}

async function run(args: readonly string[], context: CliContext): Promise<CommandOutcome> {
  const config = loadProfileStatusConfig(args, context.env, context.cwd);
  const outputs = [{ label: "the report", path: config.reportPath }, ...(config.logFile ? [{ label: "the log file", path: config.logFile }] : [])];
  checkInputFiles(config.files, context.cwd, { mustRead: true, outputs });
  const logger = loggerFor(context, config.logLevel, config.logFile, config.logFormat);
  const started = Date.now();
  // Signed in before the report is created: a refused sign-in leaves nothing behind.
  const signedIn = await signIn(graphConfigFor(config.auth, 1, deviceCodePrompt(context)), context.signal);
  const graph = openGraph(signedIn.graph, 1, { signal: context.signal, logger });
  const tty = context.stderr.isTTY === true;
  let shownAt = 0;
  try {
    const reader = openDeviceListReader(config.files, { cwd: context.cwd, stdin: context.stdin, signal: context.signal, fields: [] });
    const report = await openReportWriter(config.reportPath, COLUMNS, { format: config.reportFormat });
    logger.info({ files: config.files, waitMs: config.waitMs }, "profile-status starting");
    const summary = await profileStatusOfList({
      client: graph.client,
      rows: () => untilAborted(reader.rows(), context.signal),
      waitMs: config.waitMs,
      signal: context.signal,
      logger,
      report: (row) => report.write(row),
      onRound: (settled, total) => {
        if (!tty || Date.now() - shownAt < TTY_REDRAW_MS) return;
        shownAt = Date.now();
        context.stderr.write(`\r\x1b[Kprofile-status: ${settled} of ${total} devices settled (assigned or failed)`);
      },
    });
    if (tty && shownAt > 0) context.stderr.write("\r\x1b[K");
    await report.close();
    const durationMs = Date.now() - started;
    for (const file of reader.files) if (file.error) context.stderr.write(`profile-status: ${file.path}: ${file.error}\n`);
    if (summary.rows > 0 || reader.files.every((file) => file.error === null)) {
      context.stderr.write(`${countsLine(summary)}; report: ${path.relative(context.cwd, config.reportPath) || config.reportPath}\n`);
    }
    logger.info({ ...summary, durationMs }, "profile-status finished");
    if (config.json) context.stdout.write(`${summaryJson(config, summary, graph.client.stats.requests, durationMs)}\n`);
    return { kind: "rows", unreadableFiles: reader.files.filter((file) => file.error !== null).length, rowsNotDone: summary.rows - summary.assigned, noRows: summary.rows === 0 };
  } finally {
    if (tty && shownAt > 0) context.stderr.write("\r\x1b[K");
    graph.close();
    signedIn.close();
    logger.flush();
  }
}

export const profileStatusCommand: Command = {
  name: "profile-status",
  summary: "report (or --wait for) the deployment profile assignment of the serials listed, with why a device has none",
  help,
  options: { ...profileStatusOptions, ...graphOptions },
  run,
};
