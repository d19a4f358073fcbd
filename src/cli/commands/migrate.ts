import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { writeMovingFile } from "../../migrate/device-files.js";
import { halfEnv, joinArgs, leaveArgs } from "../../migrate/halves.js";
import { migrationKey, openMigration } from "../../migrate/journal.js";
import { runMigration, type MigrationResult } from "../../migrate/migration.js";
import { MIGRATE_REPORT_COLUMNS, migrateReportRows, readHalfReport, type MigrateStatus } from "../../migrate/report.js";
import { untilUnlisted } from "../../migrate/until-unlisted.js";
import { openReportWriter } from "../../report/writer.js";
import { graphConfigFor, openGraph } from "../../run/graph.js";
import { signIn } from "../../run/sign-in.js";
import { runTargetFor } from "../../run/target.js";
import { stateDirError } from "../../state/environment-error.js";
import { fingerprintFiles } from "../../state/fingerprint.js";
import { UsageError } from "../../errors.js";
import { sleep } from "../../util/abort.js";
import { DEREGISTER_ENV_FOR_FLAG, loadDeregisterConfig } from "../config/deregister.js";
import { importOwnOptions, loadImportConfig } from "../config/import.js";
import { SIDE_SECRET_ENV, loadMigrateConfig, migrateOwnOptions, migrateSignInOptions, migrateTable, type MigrateConfig } from "../config/migrate.js";
import type { CliContext, Command } from "../context.js";
import { deviceCodePrompt } from "../device-code-prompt.js";
import type { CommandOutcome } from "../exit-codes.js";
import { ENVIRONMENT_ONLY_NAMES, SIGN_IN_TITLE, graphParsing, logOptions, signInOptions } from "../options/graph.js";
import { commandHelp } from "../options/help.js";
import { stateOptions } from "../options/import.js";
import { envTable } from "../options/option.js";
import { checkInputFiles } from "../options/input-files.js";
import { carriedArgs } from "../output/follow-up.js";
import { loggerFor } from "../output/terminal.js";
import { deregisterCommand } from "./deregister.js";
import { importCommand } from "./import.js";

const help = commandHelp({
  about: `Usage: autopilot-import migrate <file> --from-tenant A --to-tenant B [--yes] [--dry-run] [--delete-intune-record] [--report FILE] [options]

Moves Windows Autopilot devices from one tenant to another. The file must carry the hardware hashes (an import file,
such as the one \`import --archive\` keeps: Graph never gives a hash back); a file without them is refused before
anything is done. First the devices are deregistered in A by the deregister command's rules (an enrolled device
stays, unless --delete-intune-record), and followed until each record is really gone (by id, then no longer listed);
then the devices that left A are imported into B by the import command (verified, one sync). A device that could
not leave A is not imported into B. Each half keeps its own journal in the state directory and the migration
remembers which half is done: a migration stopped at any point goes on when run again, and nothing is deleted or
submitted twice. The report has one row per input row with both halves.
`,
  sections: [
    ["Options", { ...migrateOwnOptions, ...stateOptions }],
    [`${SIGN_IN_TITLE}; each side's tenant is --from-tenant / --to-tenant`, migrateSignInOptions],
    ["Logs", logOptions],
  ],
  environmentOnly: [...ENVIRONMENT_ONLY_NAMES, SIDE_SECRET_ENV.from.secret, SIDE_SECRET_ENV.to.secret],
  after: `Report statuses: moved, not_moved, invalid, duplicate; fromStatus is deregister's (deleted, not_found, enrolled,
pending, ambiguous, failed), toStatus the import's (imported, already_registered, failed, timeout, …).

Exit codes:
  0    every row moved
  1    some row was not (see the report); or devices are still leaving A (run the same command again)
  2    usage error, a file without hashes or that cannot be read, the state directory in use, no --yes off a terminal
  3    authentication failure or a service error in either tenant
  130  interrupted (SIGINT), 143 terminated (SIGTERM): run the same command again to go on

Examples:
  autopilot-import import devices.csv --archive kept/ …
  autopilot-import migrate kept/autopilot-import-archive-<run>.csv --from-tenant old.onmicrosoft.com --to-tenant new.onmicrosoft.com --client-id <multi-tenant app> --yes
`,
});

/** Variables the halves' own commands would read for what the migration decides (their report, dry run, fresh start…). */
const STEERING = [...Object.values(DEREGISTER_ENV_FOR_FLAG).flat().filter((name) => name.includes("_DEREGISTER_")), ...Object.values(envTable(importOwnOptions)).flat()];

function say(context: CliContext, line: string): void {
  context.stderr.write(`migrate: ${line}\n`);
}

async function writeReport(config: MigrateConfig, context: CliContext, result: Pick<MigrationResult, "leave" | "join">): Promise<Record<MigrateStatus, number>> {
  const counts: Record<MigrateStatus, number> = { moved: 0, not_moved: 0, invalid: 0, duplicate: 0 };
  const report = await openReportWriter(config.reportPath, MIGRATE_REPORT_COLUMNS, { format: config.reportPath.toLowerCase().endsWith(".jsonl") ? "jsonl" : "csv" });
  try {
    for await (const row of migrateReportRows(config.file, context.cwd, result.leave, result.join, context.signal)) {
      counts[row.status] += 1;
      await report.write(row);
    }
  } finally {
    await report.close();
  }
  return counts;
}

function countsLine(config: MigrateConfig, counts: Record<MigrateStatus, number>, context: CliContext): string {
  const rows = counts.moved + counts.not_moved + counts.invalid + counts.duplicate;
  const parts = [`${counts.moved} moved from ${config.from.tenant} to ${config.to.tenant}`, `${counts.not_moved} not moved`];
  if (counts.invalid > 0) parts.push(`${counts.invalid} invalid`);
  if (counts.duplicate > 0) parts.push(`${counts.duplicate} duplicate`);
  return `${rows} row${rows === 1 ? "" : "s"}: ${parts.join(", ")}; report: ${path.relative(context.cwd, config.reportPath) || config.reportPath}`;
}

async function run(args: readonly string[], context: CliContext): Promise<CommandOutcome> {
  const config = loadMigrateConfig(args, context.env, context.cwd);
  checkInputFiles([config.file], context.cwd, { mustRead: true, outputs: [{ label: "the report", path: config.reportPath }], ...(config.dryRun ? {} : { stateDir: config.stateDir }) });
  const carried = carriedArgs(args, migrateTable, { ...signInOptions, ...logOptions }, { prepare: graphParsing.prepare, drop: ["client-id"] });
  const leaveEnv = halfEnv(config.from.env, STEERING);
  const joinEnv = halfEnv(config.to.env, STEERING);
  const flags = { deadlineMs: config.deadlineMs, yes: config.yes, deleteIntuneRecord: config.deleteIntuneRecord, forceUnlock: config.forceUnlock };
  if (config.dryRun) return dryRun(config, context, flags, carried, leaveEnv);
  // Without --yes the old tenant's half asks on a terminal; anywhere else it would refuse: refuse now, before anything.
  if (!config.yes && (context.stdin as { isTTY?: boolean }).isTTY !== true) throw new UsageError("migrate: deregistering in the old tenant needs --yes here (nobody can be asked on this terminal): check the plan with --dry-run, then add --yes");
  const [input] = await fingerprintFiles([config.file], context.cwd, context.signal);
  const leaveConfig = loadDeregisterConfig(leaveArgs(config.from, flags, { moving: config.file, report: config.reportPath, stateDir: config.stateDir }, carried), leaveEnv, context.cwd);
  const endpoint = runTargetFor(leaveConfig.auth).endpoint;
  const key = migrationKey(input!.sha256, { fromTenant: config.from.tenant, toTenant: config.to.tenant, endpoint, plan: config.deleteIntuneRecord ? "--delete-intune-record" : "" });
  let opened;
  try {
    opened = openMigration(config.stateDir, key, { fresh: config.fresh, forceUnlock: config.forceUnlock });
  } catch (error) {
    throw stateDirError(config.stateDir, error);
  }
  const { paths } = opened;
  try {
    if (opened.setAside) say(context, `--fresh: starting over; the earlier attempt is kept as ${opened.setAside}`);
    if (opened.record) say(context, `resuming the migration journaled in ${paths.record} (${opened.record.step === "planned" ? "leaving " + config.from.tenant : opened.record.step === "left" ? "joining " + config.to.tenant : "finished"})`);
    const result = await runMigration({
      input: config.file,
      cwd: context.cwd,
      signal: context.signal,
      paths,
      record: opened.record,
      identity: { key, input: config.file, fromTenant: config.from.tenant, toTenant: config.to.tenant, startedAt: new Date().toISOString() },
      checkJoin: async () => {
        const joinConfig = loadImportConfig(joinArgs(config.to, flags, { joining: paths.joining, report: paths.joinReport, stateDir: paths.halvesState }, carried), joinEnv, context.cwd);
        (await signIn(graphConfigFor(joinConfig.auth, 1, deviceCodePrompt(context)), context.signal)).close();
      },
      leave: async () => {
        say(context, `leaving ${config.from.tenant}: deregistering the devices there`);
        await deregisterCommand.run(leaveArgs(config.from, flags, { moving: paths.moving, report: paths.leaveReport, stateDir: paths.halvesState }, carried), { ...context, env: leaveEnv });
      },
      untilUnlisted: (serials) => followUntilUnlisted(leaveConfig, context, serials, config.deadlineMs),
      join: async () => {
        say(context, `joining ${config.to.tenant}: importing the devices that left ${config.from.tenant}`);
        await importCommand.run(joinArgs(config.to, flags, { joining: paths.joining, report: paths.joinReport, stateDir: paths.halvesState }, carried), { ...context, env: joinEnv });
      },
    }).catch((error: unknown) => {
      if (context.signal.aborted) say(context, "stopped; to go on, run the same migrate command again (nothing done is done twice)");
      throw error;
    });
    const counts = await writeReport(config, context, result);
    if (result.end.kind === "leaving") say(context, `${result.end.count} device(s) are still being removed from ${config.from.tenant}: nothing was imported into ${config.to.tenant} yet; run the same command again to follow them`);
    if (result.end.kind === "joined" && result.end.already) say(context, `this migration was finished earlier: the report is written again from its halves (--fresh starts it over)`);
    say(context, countsLine(config, counts, context));
    if (config.json) context.stdout.write(`${JSON.stringify({ report: config.reportPath, rows: counts.moved + counts.not_moved + counts.invalid + counts.duplicate, moved: counts.moved, notMoved: counts.not_moved, invalid: counts.invalid, duplicates: counts.duplicate, from: config.from.tenant, to: config.to.tenant })}\n`);
    const rows = counts.moved + counts.not_moved + counts.invalid + counts.duplicate;
    return { kind: "rows", unreadableFiles: 0, rowsNotDone: rows - counts.moved, noRows: rows === 0 };
  } finally {
    opened.lock.release();
  }
}

/** The old tenant's listing, followed until the deleted serials are gone from it (signed in as the old tenant's half). */
async function followUntilUnlisted(leaveConfig: ReturnType<typeof loadDeregisterConfig>, context: CliContext, serials: readonly string[], deadlineMs: number): Promise<string[]> {
  const logger = loggerFor(context, leaveConfig.logLevel, leaveConfig.logFile, leaveConfig.logFormat);
  const signedIn = await signIn(graphConfigFor(leaveConfig.auth, 1, deviceCodePrompt(context)), context.signal);
  const graph = openGraph(signedIn.graph, 1, { signal: context.signal, logger });
  try {
    return await untilUnlisted(graph.client, serials, { deadlineMs, now: Date.now, sleep, signal: context.signal });
  } finally {
    graph.close();
    signedIn.close();
    logger.flush();
  }
}

/** The plan: the file read, the devices looked up in the old tenant (deregister --dry-run), nothing written anywhere but the report. */
async function dryRun(config: MigrateConfig, context: CliContext, flags: Parameters<typeof leaveArgs>[1], carried: readonly string[], leaveEnv: Record<string, string | undefined>): Promise<CommandOutcome> {
  const scratch = await mkdtemp(path.join(tmpdir(), "autopilot-migrate-plan-"));
  try {
    const moving = path.join(scratch, "moving.csv");
    const leaveReport = path.join(scratch, "leave-report.jsonl");
    const plan = await writeMovingFile(config.file, context.cwd, moving, context.signal);
    if (plan.moving > 0) await deregisterCommand.run(leaveArgs(config.from, flags, { moving, report: leaveReport, stateDir: scratch }, carried, true), { ...context, env: leaveEnv });
    const leave = plan.moving > 0 ? await readHalfReport(leaveReport) : new Map();
    const statuses = [...leave.values()].map((outcome) => outcome.status);
    const going = statuses.filter((status) => status === "would_delete" || status === "not_found").length;
    await writeReport(config, context, { leave, join: new Map() });
    say(context, `plan (dry run): ${going} of ${plan.rows} row(s) would leave ${config.from.tenant} and be imported into ${config.to.tenant}; ${plan.moving - going} would stay; ${plan.rows - plan.moving} invalid or duplicate; report: ${path.relative(context.cwd, config.reportPath) || config.reportPath}`);
    return { kind: "rows", unreadableFiles: 0, rowsNotDone: plan.rows - going };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

export const migrateCommand: Command = {
  name: "migrate",
  summary: "move devices from one tenant to another: deregister there, wait until gone, import here (the file must carry the hashes)",
  help,
  options: migrateTable,
  run,
};
