import { EXPORT_CSV_COLUMNS, EXPORT_JSON_COLUMNS, type ExportedDevice } from "../../export/columns.js";
import { exportDevices, type ExportCounts } from "../../export/export-devices.js";
import { openExportOutput } from "../../export/output.js";
import { graphConfigFor, openGraph } from "../../run/graph.js";
import { signIn } from "../../run/sign-in.js";
import { exportOptions, loadExportConfig, type ExportConfig } from "../config/export.js";
import type { CliContext, Command } from "../context.js";
import { deviceCodePrompt } from "../device-code-prompt.js";
import type { CommandOutcome } from "../exit-codes.js";
import { ENVIRONMENT_ONLY_NAMES, graphHelpSections, graphOptions } from "../options/graph.js";
import { commandHelp } from "../options/help.js";
import { TTY_REDRAW_MS, loggerFor } from "../output/terminal.js";

const help = commandHelp({
  about: `Usage: autopilot-import export [--out FILE] [--format csv|jsonl] [--where SELECTOR] [--force] [--json] [options]

Writes the tenant's Windows Autopilot devices (windowsAutopilotDeviceIdentities, beta) to a file, page by
page as Graph returns them (memory stays flat whatever the tenant's size; throttling is waited out):
serial number, manufacturer, model, group tag, assigned user, display name, enrollment state, profile
assignment status, purchase order, last contacted, and the Autopilot, Entra and Intune device ids.
The CSV opens in Excel (UTF-8 with BOM, CRLF) and names its columns as the import file does
(Device Serial Number, Group Tag, Assigned User, Manufacturer name, Device model), so it can be edited
and fed back. The file appears only once complete (it is written under a temporary name beside it).
Needs DeviceManagementServiceConfig.Read.All (or ReadWrite.All).
`,
  sections: [["Options", exportOptions], ...graphHelpSections],
  environmentOnly: ENVIRONMENT_ONLY_NAMES,
  after: `Exit codes:
  0    every listed device was read (and those selected written)
  2    usage or configuration error, an --out that exists (without --force) or cannot be written
  3    authentication failure or a service error (no file is left behind)
  130  interrupted (SIGINT), 143 terminated (SIGTERM)

Examples:
  autopilot-import export --out devices.csv
  autopilot-import export --where "group-tag=" --out untagged.csv
  autopilot-import export --where "manufacturer=HP and purchase-order=PO-1001" --format jsonl --out -
`,
});

function summaryJson(config: ExportConfig, counts: ExportCounts, durationMs: number): string {
  return JSON.stringify({
    out: config.out,
    format: config.format,
    where: config.selector?.text ?? null,
    listed: counts.listed,
    exported: counts.exported,
    pages: counts.pages,
    durationMs,
  });
}

async function run(args: readonly string[], context: CliContext): Promise<CommandOutcome> {
  const config = loadExportConfig(args, context.env, context.cwd);
  const logger = loggerFor(context, config.logLevel, config.logFile, config.logFormat);
  const started = Date.now();
  // Signed in before the output is created: a refused sign-in leaves nothing behind.
  const signedIn = await signIn(graphConfigFor(config.auth, 1, deviceCodePrompt(context)), context.signal);
  const graph = openGraph(signedIn.graph, 1, { signal: context.signal, logger });
  try {
    const columns = config.format === "csv" ? EXPORT_CSV_COLUMNS : EXPORT_JSON_COLUMNS;
    const output = await openExportOutput<ExportedDevice>(config.out, context.stdout, { format: config.format, columns, force: config.force });
    let counts: ExportCounts;
    let shownAt = 0;
    const tty = context.stderr.isTTY === true;
    try {
      logger.info({ out: config.out, format: config.format, where: config.selector?.text }, "export starting");
      counts = await exportDevices({
        client: graph.client,
        writer: output.writer,
        selector: config.selector,
        signal: context.signal,
        logger,
        onPage: (progress) => {
          if (!tty || Date.now() - shownAt < TTY_REDRAW_MS) return;
          shownAt = Date.now();
          context.stderr.write(`\rexporting: ${progress.exported} of ${progress.listed} devices listed so far`);
        },
      });
      await output.commit();
    } catch (error) {
      output.abort();
      throw error;
    } finally {
      if (tty && shownAt > 0) context.stderr.write("\r\x1b[K");
    }
    const durationMs = Date.now() - started;
    const where = config.out === "-" ? "stdout" : config.out;
    const selected = config.selector ? ` (${counts.listed} listed, selected by ${config.selector.text})` : "";
    context.stderr.write(`exported ${counts.exported} device${counts.exported === 1 ? "" : "s"}${selected} to ${where}\n`);
    logger.info({ ...counts, durationMs }, "export finished");
    if (config.json) context.stdout.write(`${summaryJson(config, counts, durationMs)}\n`);
    return { kind: "done" };
  } finally {
    graph.close();
    signedIn.close();
    logger.flush();
  }
}

export const exportCommand: Command = {
  name: "export",
  summary: "write the tenant's Autopilot devices to CSV or JSON Lines (for audits and export → edit → update)",
  help,
  options: { ...exportOptions, ...graphOptions },
  run,
};
