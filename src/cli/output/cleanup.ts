/** What people are told about the cleanup of staged records: before its remainder runs, while it runs, and after. */
import type { CleanupProgress } from "../../after/cleanup.js";
import type { CleanupRunsResult } from "../../after/cleanup-runs.js";
import { deleteDurationMs, type WriteLimit } from "../../after/write-pacer.js";
import { formatDuration } from "../../util/duration.js";
import type { CleanupSummary } from "../../pipeline/types.js";
import { formatWriteLimit } from "../options/values.js";
import { commandLine } from "./shell-words.js";

const number = new Intl.NumberFormat("en-US");

/** At least this long: the write limit allows no faster. */
export function atLeast(count: number, limit: WriteLimit): string {
  return `at least ${formatDuration(Math.max(1_000, deleteDurationMs(count, limit)))} at ${formatWriteLimit(limit)} writes`;
}

/** The command that finishes a cleanup (its sign-in options are added as before). */
export function cleanupCommand(stateDir: string, run?: string): string {
  return `autopilot-import ${commandLine(["cleanup", "--state-dir", stateDir, ...(run ? ["--run", run] : [])])}`;
}

/** Said once the report is complete, when staged records are left to delete. */
export function cleanupStartLine(remaining: number, limit: WriteLimit, maxTimeMs: number): string {
  const bound = maxTimeMs === 0 ? "not deleted now (--cleanup-max-time 0)" : `deleting them for up to ${formatDuration(maxTimeMs)} (--cleanup-max-time)`;
  return `cleanup: ${number.format(remaining)} staged record(s) of this run left to delete (${atLeast(remaining, limit)}); ${bound}`;
}

export function cleanupProgressLine(progress: CleanupProgress, limit: WriteLimit): string {
  const left = progress.remaining > 0 ? `, ${number.format(progress.remaining)} left (${atLeast(progress.remaining, limit)})` : "";
  return `cleanup: ${number.format(progress.deleted)} staged record(s) deleted${left}`;
}

/**
 * The closing line: what was deleted, what is left and why, and `finish`, the complete command that deletes the rest
 * (undefined: no journal was kept, standard input, so what is left cannot be found again). `budget`: the time limit
 * was the short one of an interactive run, not one given with --cleanup-max-time.
 */
export function cleanupEndLine(summary: CleanupSummary, limit: WriteLimit, maxTimeMs: number, finish: string | undefined, budget: "given" | "interactive" = "given"): string {
  const done = `cleanup: ${number.format(summary.deleted)} staged record(s) of this run deleted`;
  if (summary.remaining === 0) return done;
  const why =
    summary.stoppedBy === "timeLimit"
      ? budget === "interactive"
        ? `after ${formatDuration(maxTimeMs)} (an interactive run's budget; --cleanup-max-time sets another)`
        : `after --cleanup-max-time ${formatDuration(maxTimeMs)}`
      : summary.stoppedBy === "interrupted"
        ? "when the run was stopped"
        : `(${summary.error ?? "stopped"})`;
  const next = finish
    ? `${finish} deletes them (${atLeast(summary.remaining, limit)}); the next import in this state directory also deletes them, within its cleanup time`
    : "no journal was kept for standard input, so no later cleanup can find them";
  return `${done}; ${number.format(summary.remaining)} left ${why}: ${next}`;
}

/** What an import did about the staged records earlier runs left in its state directory, and the command for the rest. */
export function leftoversLine(result: Pick<CleanupRunsResult, "deleted" | "remaining" | "runs">, finish: string): string {
  const head = `cleanup: ${number.format(result.deleted)} staged record(s) left by ${result.runs.length} earlier run(s) in this state directory deleted`;
  return result.remaining === 0 ? head : `${head}; ${number.format(result.remaining)} still left: ${finish} deletes them`;
}

export interface CleanupProgressSink {
  update(progress: CleanupProgress): void;
  /** Ends a redrawn line. */
  end(): void;
}

/** The remainder's progress: a line redrawn on a terminal, a log line every `everyMs` otherwise (only once closing). */
export function cleanupProgressSink(
  stderr: { write(text: string): unknown; isTTY?: boolean },
  log: (fields: Record<string, unknown>, message: string) => void,
  limit: WriteLimit,
  options: { readonly now: () => number; readonly everyMs: number },
): CleanupProgressSink {
  let last = Number.NEGATIVE_INFINITY;
  let drawn = false;
  return {
    update(progress) {
      if (!progress.closing) return;
      const now = options.now();
      if (now - last < options.everyMs && progress.remaining > 0) return;
      last = now;
      if (stderr.isTTY) {
        stderr.write(`\r\x1b[2K${cleanupProgressLine(progress, limit)}`);
        drawn = true;
      } else log({ cleanup: { deleted: progress.deleted, remaining: progress.remaining, atLeastMs: progress.etaMs } }, "cleanup progress");
    },
    end() {
      if (drawn) stderr.write("\r\x1b[2K");
      drawn = false;
    },
  };
}
