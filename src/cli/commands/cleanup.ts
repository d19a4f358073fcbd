import { cleanupRuns, type CleanupRunsResult, type RunCleanup } from "../../after/cleanup-runs.js";
import { abortError } from "../../util/abort.js";
import { resolveEndpoints } from "../../graph/clouds.js";
import { createGraphClient } from "../../graph/create.js";
import { formatDuration } from "../../util/duration.js";
import { cleanupCommandOptions, loadCleanupConfig } from "../config/cleanup.js";
import { atLeast, cleanupProgressSink } from "../output/cleanup.js";
import type { CliContext, Command } from "../context.js";
import { failureText, type CommandOutcome } from "../exit-codes.js";
import { graphConfigFor } from "../../run/graph.js";
import { deviceCodePrompt } from "../device-code-prompt.js";
import { ENVIRONMENT_ONLY_NAMES, graphHelpSections, graphOptions } from "../options/graph.js";
import { commandHelp } from "../options/help.js";
import { loggerFor } from "../output/terminal.js";

const help = commandHelp({
  about: `Usage: autopilot-import cleanup [--state-dir DIR] [--run ID] [--max-time DURATION] [--json] [options]

Deletes the staged records (importedWindowsAutopilotDeviceIdentities) that the import runs journaled in
the state directory created and did not delete yet: those an import left because of --no-cleanup,
its --cleanup-max-time, a signal or a crash, and those of runs started over with --fresh. Only
records whose outcome is journaled go (the report has them), only by the ids Graph gave us, never
anyone else's; a record already gone (404) counts as deleted. Each $batch of deletes is journaled, so
a cleanup stopped in any way is finished by running it again.

Deletes are writes (Intune allows an app 100 per 20 s in a tenant), so they take time: 100,000
records need at least 5h33m. Runs journaled for another tenant or Graph endpoint than the one signed
in to are left alone (sign in there to clean them up). Takes the state directory's lock: not while
an import works there.
`,
  sections: [["Options", cleanupCommandOptions], ...graphHelpSections],
  environmentOnly: ENVIRONMENT_ONLY_NAMES,
  after: `Exit codes:
  0    every deletable staged record is deleted (also when there was none)
  1    some are left: the time limit, records the service refused, or runs of another tenant
  2    usage error, or the state directory is in use by another process
  3    authentication failure or a service error
  130  interrupted (SIGINT), 143 terminated (SIGTERM): run it again to go on

Examples:
  autopilot-import cleanup --tenant contoso.onmicrosoft.com --client-id 11111111-…
  autopilot-import cleanup --state-dir /data/state --max-time 1h --json
`,
});

const number = new Intl.NumberFormat("en-US");

function runLine(run: RunCleanup): string {
  const head = `run ${run.run}${run.archived ? " (archived)" : ""}`;
  if (run.skipped === "otherTenant") {
    return `${head}: journaled for tenant ${run.tenant || "(the credential's own)"} at ${run.endpoint}: sign in there to delete its ${number.format(run.remaining)} staged record(s)`;
  }
  const gone = run.alreadyGone > 0 ? ` (${number.format(run.alreadyGone)} already gone)` : "";
  const waiting = run.awaitingOutcome > 0 ? `; ${number.format(run.awaitingOutcome)} wait for their outcome or were still processing at the deadline (kept)` : "";
  return `${head}: ${number.format(run.deleted)} deleted${gone}, ${number.format(run.remaining)} left${waiting}`;
}

function json(result: CleanupRunsResult): string {
  return JSON.stringify({ stateDir: result.stateDir, deleted: result.deleted, remaining: result.remaining, runs: result.runs });
}

async function run(args: readonly string[], context: CliContext): Promise<CommandOutcome> {
  const config = loadCleanupConfig(args, context.env, context.cwd);
  const logger = loggerFor(context, config.logLevel, config.logFile, config.logFormat);
  const client = createGraphClient(graphConfigFor(config.auth, 1, deviceCodePrompt(context)), { signal: context.signal, logger });
  const endpoint = resolveEndpoints({ cloud: config.auth.cloud, graphUrl: config.auth.graphUrl }).graphRoot;
  const say = (text: string): void => {
    context.stderr.write(`${text}\n`);
  };
  const progress = cleanupProgressSink(context.stderr, (fields, message) => logger.info(fields, message), config.writeLimit, {
    now: Date.now,
    everyMs: context.stderr.isTTY ? 200 : 10_000,
  });
  try {
    // Signed in before the state directory is locked.
    await client.signIn(context.signal);
    logger.info({ stateDir: config.stateDir, run: config.run, maxTime: config.maxTimeMs === undefined ? null : formatDuration(config.maxTimeMs) }, "cleanup starting");
    const result = await cleanupRuns({
      stateDir: config.stateDir,
      client,
      tenant: config.auth.tenantId,
      endpoint,
      ...(config.run ? { run: config.run } : {}),
      ...(config.maxTimeMs !== undefined ? { maxTimeMs: config.maxTimeMs } : {}),
      writeLimit: config.writeLimit,
      forceUnlock: config.forceUnlock,
      logger,
      signal: context.signal,
      onRun: (r) => say(`run ${r.run}: deleting ${number.format(r.remaining)} staged record(s) (${atLeast(r.remaining, config.writeLimit)})…`),
      onProgress: (_run, p) => progress.update({ ...p, closing: true }),
    });
    progress.end();
    for (const r of result.runs) if (r.skipped !== null || r.deleted > 0 || r.remaining > 0 || r.awaitingOutcome > 0) say(runLine(r));
    const cut = result.stoppedBy === "timeLimit" ? ` (--max-time ${formatDuration(config.maxTimeMs ?? 0)} reached: run it again to go on)` : "";
    say(`cleanup: ${number.format(result.deleted)} staged record(s) deleted, ${number.format(result.remaining)} left${cut}`);
    if (config.json) context.stdout.write(`${json(result)}\n`);
    if (context.signal.aborted) return { kind: "stopped", error: abortError(context.signal) };
    if (result.stoppedBy === "error") {
      say(`autopilot-import: ${failureText(result.failure)}`);
      return { kind: "stopped", error: result.failure };
    }
    return { kind: "partial", left: result.remaining };
  } finally {
    progress.end();
    client.close();
    logger.flush();
  }
}

export const cleanupCommand: Command = {
  name: "cleanup",
  summary: "delete the staged records that journaled import runs left (only ours), e.g. after --no-cleanup",
  help,
  options: { ...cleanupCommandOptions, ...graphOptions },
  run,
};
