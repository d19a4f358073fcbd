import { formatSettings, nextManualSyncAllowedAt, readAutopilotSettings } from "../../after/settings.js";
import { createGraphClient } from "../../graph/create.js";
import { loadSettingsConfig } from "../after-config.js";
import type { CliContext, Command } from "../context.js";
import { ExitCode } from "../exit-codes.js";
import { GRAPH_OPTIONS_HELP } from "../graph-options.js";
import { graphConfigFor, loggerFor } from "../import-run.js";

const help = `Usage: autopilot-import settings [--json] [options]

Shows the tenant's Windows Autopilot sync settings (GET /beta/deviceManagement/windowsAutopilotSettings):
the sync status, when the service last synced, when a sync was last triggered by hand, and when the
10-minute rule allows the next manual sync.

Options:
  --json                   print the settings as one JSON object on stdout instead: {"id","syncStatus",
                           "lastSyncDateTime","lastManualSyncTriggerDateTime","nextManualSyncAllowedDateTime"}

${GRAPH_OPTIONS_HELP}
Exit codes: 0 shown, 2 usage or configuration error, 3 authentication failure or service error.
`;

async function run(args: readonly string[], context: CliContext): Promise<number> {
  const config = loadSettingsConfig(args, context.env, context.cwd);
  const logger = loggerFor(context, config.logLevel, config.logFile);
  const client = createGraphClient(graphConfigFor(config.auth, 1), { signal: context.signal, logger });
  try {
    const settings = await readAutopilotSettings(client, context.signal);
    if (config.json) {
      const next = nextManualSyncAllowedAt(settings);
      const { id, syncStatus, lastSyncDateTime, lastManualSyncTriggerDateTime } = settings;
      const nextManualSyncAllowedDateTime = next === undefined ? null : new Date(next).toISOString();
      context.stdout.write(`${JSON.stringify({ id, syncStatus, lastSyncDateTime, lastManualSyncTriggerDateTime, nextManualSyncAllowedDateTime })}\n`);
    } else context.stdout.write(formatSettings(settings, Date.now()));
    return ExitCode.ok;
  } finally {
    client.close();
    logger.flush();
  }
}

export const settingsCommand: Command = {
  name: "settings",
  summary: "show the tenant's Windows Autopilot sync settings (windowsAutopilotSettings)",
  help,
  run,
};
