/** What the after-import steps share: the logger slice they use and the clock and sleep they are given. */
import type { Sleep } from "../graph/abort.js";

/** The slice of a pino logger these steps use. */
export interface AfterLogger {
  info(fields: Record<string, unknown>, message: string): void;
  debug(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

/** Injected time, so waits run on a test's (or the emulator's) clock. */
export interface AfterRuntime {
  readonly now?: () => number;
  readonly sleep?: Sleep;
  readonly signal?: AbortSignal;
  readonly logger?: AfterLogger;
}
