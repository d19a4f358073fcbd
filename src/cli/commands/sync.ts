import { syncSucceeded, triggerAutopilotSync, type SyncResult } from "../../after/sync.js";
import { createGraphClient } from "../../graph/create.js";
import { formatDuration } from "../../util/duration.js";
import { loadSyncConfig, syncOptions } from "../config/sync.js";
import type { CliContext, Command } from "../context.js";
import type { CommandOutcome } from "../exit-codes.js";
import { graphConfigFor } from "../../run/graph.js";
import { deviceCodePrompt } from "../device-code-prompt.js";
import { ENVIRONMENT_ONLY_NAMES, graphHelpSections, graphOptions } from "../options/graph.js";
import { commandHelp } from "../options/help.js";
import { loggerFor } from "../output/terminal.js";

const help = commandHelp({
  about: `Usage: autopilot-import sync [--wait] [--max-wait DURATION] [--json] [options]

Triggers the Windows Autopilot sync once (POST /beta/deviceManagement/windowsAutopilotSettings/sync),
so newly registered devices reach Intune sooner. The service allows one manual sync per 10 minutes
per tenant and refuses a second one while a sync runs; this command never hammers it:
  - a sync already running (409): waits for it to finish, reading windowsAutopilotSettings with
    growing pauses, up to --max-wait;
  - too soon (429): works out when the 10-minute window opens (from Retry-After, or from
    lastManualSyncTriggerDateTime) and says so; with --wait, sleeps until then and triggers once more.
`,
  sections: [["Options", syncOptions], ...graphHelpSections],
  environmentOnly: ENVIRONMENT_ONLY_NAMES,
  after: `Exit codes:
  0    a sync was triggered, or one that was already running finished (or is still running)
  1    the sync could not be triggered within the wait: the message says when it can be run
  2    usage or configuration error
  3    authentication failure or a service error
  130  interrupted (SIGINT), 143 terminated (SIGTERM)

Examples:
  autopilot-import sync
  autopilot-import sync --wait --max-wait 12m --json
`,
});

/** The --json object: exactly these keys, in this order. */
export function syncJson(result: SyncResult): string {
  const s = result.settings;
  return JSON.stringify({
    status: result.status,
    triggers: result.triggers,
    waitedMs: result.waitedMs,
    retryAt: result.retryAt ?? null,
    syncStatus: s?.syncStatus ?? null,
    lastSyncDateTime: s?.lastSyncDateTime ?? null,
    lastManualSyncTriggerDateTime: s?.lastManualSyncTriggerDateTime ?? null,
  });
}

async function run(args: readonly string[], context: CliContext): Promise<CommandOutcome> {
  const config = loadSyncConfig(args, context.env, context.cwd);
  const logger = loggerFor(context, config.logLevel, config.logFile, config.logFormat);
  const client = createGraphClient(graphConfigFor(config.auth, 1, deviceCodePrompt(context)), { signal: context.signal, logger });
  try {
    logger.info({ wait: config.wait, maxWait: formatDuration(config.maxWaitMs) }, "sync starting");
    const result = await triggerAutopilotSync(client, { wait: config.wait, maxWaitMs: config.maxWaitMs, signal: context.signal, logger });
    const hint = result.status === "tooSoon" && !config.wait ? " Run again then, or use --wait." : "";
    context.stderr.write(`${result.message}${hint}\n`);
    if (config.json) context.stdout.write(`${syncJson(result)}\n`);
    return syncSucceeded(result) ? { kind: "done" } : { kind: "partial", left: 1 };
  } finally {
    client.close();
    logger.flush();
  }
}

export const syncCommand: Command = {
  name: "sync",
  summary: "trigger the Windows Autopilot sync once, respecting its 10-minute rule",
  help,
  options: { ...syncOptions, ...graphOptions },
  run,
};
