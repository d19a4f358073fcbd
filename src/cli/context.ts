import type { Readable, Writable } from "node:stream";
import type { CommandOutcome } from "./exit-codes.js";
import type { OptionTable } from "./options/option.js";

/** Everything a command may touch of the outside world; tests pass their own. */
export interface CliContext {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable & { isTTY?: boolean };
  /** Aborted on SIGINT/SIGTERM. */
  readonly signal: AbortSignal;
}

export interface Command {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** Full `--help` text. */
  readonly help: string;
  /** Every option it takes (its parsing, environment and help come from this table). */
  readonly options: OptionTable;
  /** What the command did; main.ts turns it (or what it throws) into the exit code. */
  run(args: readonly string[], context: CliContext): Promise<CommandOutcome>;
}
