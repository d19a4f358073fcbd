import { formatSettings, nextManualSyncAllowedAt, readAutopilotSettings } from "../../after/settings.js";
import { createGraphClient } from "../../graph/create.js";
import { loadSettingsConfig, settingsOptions } from "../config/sync.js";
import type { CliContext, Command } from "../context.js";
import type { CommandOutcome } from "../exit-codes.js";
import { graphConfigFor } from "../../run/graph.js";
import { deviceCodePrompt } from "../device-code-prompt.js";
import { ENVIRONMENT_ONLY_NAMES, graphHelpSections, graphOptions } from "../options/graph.js";
import { commandHelp } from "../options/help.js";
import { loggerFor } from "../output/terminal.js";

const help = commandHelp({
  about: `Usage: autopilot-import settings [--json] [options]

Shows the tenant's Windows Autopilot sync settings (GET /beta/deviceManagement/windowsAutopilotSettings):
the sync status, when the service last synced, when a sync was last triggered by hand, and when the
10-minute rule allows the next manual sync.
`,
  sections: [["Options", settingsOptions], ...graphHelpSections],
  environmentOnly: ENVIRONMENT_ONLY_NAMES,
  after: `Exit codes: 0 shown, 2 usage or configuration error, 3 authentication failure or service error.
`,
});

async function run(args: readonly string[], context: CliContext): Promise<CommandOutcome> {
  const config = loadSettingsConfig(args, context.env, context.cwd);
  const logger = loggerFor(context, config.logLevel, config.logFile, config.logFormat);
  const client = createGraphClient(graphConfigFor(config.auth, 1, deviceCodePrompt(context)), { signal: context.signal, logger });
  try {
    const settings = await readAutopilotSettings(client, context.signal);
    if (config.json) {
      const next = nextManualSyncAllowedAt(settings);
      const { id, syncStatus, lastSyncDateTime, lastManualSyncTriggerDateTime } = settings;
      const nextManualSyncAllowedDateTime = next === undefined ? null : new Date(next).toISOString();
      context.stdout.write(`${JSON.stringify({ id, syncStatus, lastSyncDateTime, lastManualSyncTriggerDateTime, nextManualSyncAllowedDateTime })}\n`);
    } else context.stdout.write(formatSettings(settings, Date.now()));
    return { kind: "done" };
  } finally {
    client.close();
    logger.flush();
  }
}

export const settingsCommand: Command = {
  name: "settings",
  summary: "show the tenant's Windows Autopilot sync settings (windowsAutopilotSettings)",
  help,
  options: { ...settingsOptions, ...graphOptions },
  run,
};
