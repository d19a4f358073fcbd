/**
 * How long an import's cleanup of staged records goes on once the report is complete. Someone at a terminal waits for
 * the prompt, so an interactive run keeps a short budget and leaves the rest to `autopilot-import cleanup` or to the
 * next import in the same state directory; a job (no terminal) keeps --cleanup-max-time's default. A time given with
 * --cleanup-max-time (or its variable) always wins.
 */

/** An interactive run's cleanup budget when --cleanup-max-time is not given. */
export const INTERACTIVE_CLEANUP_MAX_TIME_MS = 30_000;

export interface CleanupBudgetInput {
  /** The configured time: given, or the option's default. */
  readonly maxTimeMs: number;
  /** --cleanup-max-time (or AUTOPILOT_IMPORT_CLEANUP_MAX_TIME) was given. */
  readonly given: boolean;
  /** Someone is at the terminal (stderr is a TTY). */
  readonly interactive: boolean;
}

export interface CleanupBudget {
  readonly maxTimeMs: number;
  /** "interactive": the short budget applied instead of the default. */
  readonly source: "given" | "default" | "interactive";
}

export function cleanupBudget(input: CleanupBudgetInput): CleanupBudget {
  if (input.given) return { maxTimeMs: input.maxTimeMs, source: "given" };
  if (input.interactive) return { maxTimeMs: Math.min(input.maxTimeMs, INTERACTIVE_CLEANUP_MAX_TIME_MS), source: "interactive" };
  return { maxTimeMs: input.maxTimeMs, source: "default" };
}
