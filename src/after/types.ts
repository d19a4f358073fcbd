/** What the after-import steps share: the logger slice they use and the clock and sleep they are given. */
import type { Sleep } from "../util/abort.js";
import type { Logger } from "../util/logger.js";


/** Injected time, so waits run on a test's (or the emulator's) clock. */
export interface AfterRuntime {
  readonly now?: () => number;
  readonly sleep?: Sleep;
  readonly signal?: AbortSignal;
  readonly logger?: Logger;
}
