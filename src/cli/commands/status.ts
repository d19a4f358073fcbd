import path from "node:path";
import { CLOUDS } from "../../graph/clouds.js";
import { describeOps, type OpRunStatus } from "../../devices/op-status.js";
import { DEFAULT_STATE_DIR, stateLayout } from "../../state/state-dir.js";
import { pruneRuns, type PrunedRun } from "../../state/prune.js";
import { describeRuns, lockStatus, type LockStatus, type RunStatus } from "../../state/status.js";
import type { CliContext, Command } from "../context.js";
import type { CommandOutcome } from "../exit-codes.js";
import { commandHelp } from "../options/help.js";
import { stateOptions } from "../options/import.js";
import { switchOption } from "../options/option.js";
import { parseOptions } from "../options/parse.js";
import { cleanupCommand } from "../output/cleanup.js";
import { commandLine } from "../output/shell-words.js";

const statusOptions = {
  prune: switchOption({
    default: false,
    help: "first forget (delete the journals of) the runs that never submitted anything: a refused sign-in, a stop\nbefore the first upload, an input without valid rows; runs with uploads are never touched (takes the lock)",
  }),
  "state-dir": { ...stateOptions["state-dir"], help: "the state directory (default ./.autopilot-import)" },
  json: switchOption({
    default: false,
    help: 'print {"stateDir","lock","runs"} (with --prune also "pruned") on stdout instead: lock is null or {"pid","host","since","command","heartbeatAt","stale"}; each run has "run","journal","archived","finished","createdAt","updatedAt","files","tenant","endpoint","input","submitted","uploads","outcomes","inFlight","cleanup","attempts","lastAttempt","finishedAt","summary","journalDamage","resume"; cleanup is {"deleted","remaining"}: the run\'s staged records deleted, and those left to delete (autopilot-import cleanup); "operations" lists the update and deregister runs: "command","key","journal","archived","finished","createdAt","updatedAt","files","where","tenant","endpoint","plan","outcomes","inFlight","attempts","damagedLines"',
  }),
};

const help = commandHelp({
  about: `Usage: autopilot-import status [--state-dir DIR] [--prune] [--json]

Lists the import runs journaled in the state directory and how far each got: the input files, the
tenant and Graph endpoint, rows read, devices submitted, outcomes by status, staged devices still
processing, the cleanup of staged records (deleted, left to delete), uploads whose answer was lost
(reconciled with Graph when the run is resumed), the attempts so far, and how to resume. Then the
update and deregister runs journaled there: their inputs or selector, the values they set, outcomes by
status and writes sent without an answer. Also shows who holds the state directory's lock. Reads only,
except with --prune.

A run is one set of input files (by content), one tenant and one Graph endpoint: running the same
import command again resumes it; --fresh archives it and starts over.
`,
  sections: [["Options", statusOptions]],
  after: `Exit codes: 0 shown (also when there are no runs), 2 usage error.
`,
});


/** The command that resumes a run (its sign-in options are not journaled: the operator adds them as before). */
export function resumeCommand(run: RunStatus, stateDir: string): string | null {
  if (run.finished || run.archived) return null;
  const words = ["autopilot-import", "import", ...run.files.map((f) => f.path)];
  if (run.tenant) words.push("--tenant", run.tenant);
  const cloud = Object.entries(CLOUDS).find(([, c]) => c.graph === run.endpoint)?.[0];
  if (cloud === undefined) words.push("--graph-url", run.endpoint);
  else if (cloud !== "public") words.push("--cloud", cloud);
  words.push("--state-dir", stateDir);
  return commandLine(words);
}

const number = new Intl.NumberFormat("en-US");

/** What --prune forgot, one line per run. */
function prunedLines(pruned: readonly PrunedRun[]): string {
  if (pruned.length === 0) return "Forgot no run: every journaled run submitted something.";
  const lines = pruned.map((p) => {
    const state = p.archived ? "archived" : p.finished ? "finished" : "not finished";
    return `Forgot run ${p.run} (${p.files.join(", ") || "?"}, started ${p.createdAt ?? "?"}, ${state}): nothing was submitted`;
  });
  return lines.join("\n");
}

function describeLock(lock: LockStatus | null): string {
  if (!lock) return "not locked";
  const holder = `process ${lock.pid} on host ${lock.host} since ${lock.since}${lock.command ? ` (${lock.command})` : ""}, renewed ${lock.heartbeatAt}`;
  return lock.stale ? `stale lock of ${holder}: that process is gone, the next import takes it over` : `locked by ${holder}`;
}

function counts(outcomes: Readonly<Record<string, number | undefined>>): string {
  return Object.entries(outcomes)
    .map(([status, n]) => `${number.format(n ?? 0)} ${status}`)
    .join(", ");
}

function formatRun(run: RunStatus, stateDir: string): string {
  const state = run.archived ? "archived (started over with --fresh)" : run.finished ? `finished at ${run.finishedAt}` : "not finished";
  const lines = [`Run ${run.run}: ${state}`];
  const field = (name: string, value: string): void => {
    lines.push(`  ${name.padEnd(10)} ${value}`);
  };
  field("files", run.files.map((f) => `${f.name} (${number.format(f.size)} bytes, sha256 ${f.sha256.slice(0, 12)}…)`).join(", ") || "?");
  field("tenant", `${run.tenant || "(not given: the credential's own)"} · Graph ${run.endpoint}`);
  field(
    "input",
    run.input
      ? `${number.format(run.input.rows)} rows: ${number.format(run.input.valid)} valid, ${number.format(run.input.invalid)} invalid, ${number.format(run.input.duplicates)} duplicates`
      : "not read to the end yet",
  );
  const unconfirmed = run.uploads.unconfirmed > 0 ? `; ${run.uploads.unconfirmed} upload(s) without an answer (looked up in Graph when resumed)` : "";
  field("submitted", `${number.format(run.submitted)} device(s) in ${number.format(run.uploads.planned)} upload(s)${unconfirmed}`);
  const outcomeTotal = Object.values(run.outcomes).reduce((a, b) => a + b, 0);
  field("outcomes", `${number.format(outcomeTotal)}${outcomeTotal > 0 ? ` (${counts(run.outcomes)})` : ""}; ${number.format(run.inFlight)} staged and still processing`);
  const { deleted, remaining } = run.cleanup;
  if (deleted + remaining > 0) {
    const left = remaining > 0 ? `, ${number.format(remaining)} left to delete: ${cleanupCommand(stateDir, run.run)}` : "";
    field("cleanup", `${number.format(deleted)} staged record(s) deleted${left}`);
  }
  const last = run.lastAttempt ? `, the last by process ${run.lastAttempt.pid} on host ${run.lastAttempt.host} at ${run.lastAttempt.at}` : "";
  field("attempts", `${run.attempts}${last}; started ${run.createdAt ?? "?"}, last update ${run.updatedAt ?? "?"}`);
  if (run.notAJournal) field("journal", `${run.journal}: not a journal of this tool (no valid run record): an import refuses it; move it away`);
  else if (run.journalDamage.tornBytes > 0 || run.journalDamage.damagedLines > 0) {
    field("journal", `${run.journal}: a torn last record of ${run.journalDamage.tornBytes} bytes (cut off when resumed), ${run.journalDamage.damagedLines} damaged line(s) skipped`);
  } else field("journal", run.journal);
  const resume = resumeCommand(run, stateDir);
  if (resume) field("resume", `${resume}  (with the sign-in options used before)`);
  return lines.join("\n");
}

/** An update or deregister run: resumed by running the same command again (same files or selector, same values). */
function formatOp(op: OpRunStatus): string {
  const state = op.archived ? "set aside (started over with --fresh)" : op.finished ? `finished at ${op.updatedAt ?? "?"}` : "not finished";
  const lines = [`${op.command === "update" ? "Update" : "Deregister"} ${op.key}: ${state}`];
  const field = (name: string, value: string): void => {
    lines.push(`  ${name.padEnd(10)} ${value}`);
  };
  field(op.where === null ? "files" : "where", op.where ?? (op.files.join(", ") || "?"));
  if (op.plan !== "") field("plan", op.plan);
  field("tenant", `${op.tenant || "(not given: the credential's own)"} · Graph ${op.endpoint}`);
  const total = Object.values(op.outcomes).reduce((a, b) => a + b, 0);
  const inFlight = op.inFlight > 0 ? `; ${number.format(op.inFlight)} write(s) sent without an answer (checked first when resumed)` : "";
  field("outcomes", `${number.format(total)}${total > 0 ? ` (${counts(op.outcomes)})` : ""}${inFlight}`);
  field("attempts", `${op.attempts}; started ${op.createdAt ?? "?"}, last update ${op.updatedAt ?? "?"}`);
  field("journal", op.damagedLines > 0 ? `${op.journal}: ${op.damagedLines} damaged line(s) skipped` : op.journal);
  if (!op.finished && !op.archived) field("resume", `run the same 'autopilot-import ${op.command}' command again (same ${op.where === null ? "files" : "selector"} and values, with the sign-in options used before)`);
  return lines.join("\n");
}

async function run(args: readonly string[], context: CliContext): Promise<CommandOutcome> {
  const { values: config } = parseOptions(statusOptions, args, context.env, { command: "status" });
  const layout = stateLayout(path.resolve(context.cwd, config["state-dir"] ?? DEFAULT_STATE_DIR));
  const pruned = config.prune ? await pruneRuns(layout) : undefined;
  const lock = lockStatus(layout);
  const runs = await describeRuns(layout);
  const operations = await describeOps(layout.dir);
  if (config.json) {
    const out = { stateDir: layout.dir, lock, runs: runs.map((r) => ({ ...r, resume: resumeCommand(r, layout.dir) })), operations, ...(pruned ? { pruned } : {}) };
    context.stdout.write(`${JSON.stringify(out)}\n`);
    return { kind: "done" };
  }
  const blocks = [`State directory ${layout.dir}: ${describeLock(lock)}`];
  if (pruned) blocks.push(prunedLines(pruned));
  if (runs.length === 0) blocks.push("No import runs are journaled here.");
  for (const r of runs) blocks.push(formatRun(r, layout.dir));
  for (const op of operations) blocks.push(formatOp(op));
  context.stdout.write(`${blocks.join("\n\n")}\n`);
  return { kind: "done" };
}

export const statusCommand: Command = {
  name: "status",
  summary: "list the journaled import runs in a state directory, their progress and how to resume them",
  help,
  options: statusOptions,
  run,
};
