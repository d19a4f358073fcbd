/**
 * A signal that came once every outcome was told and the report written (during the cleanup's remainder or the wait
 * for the sync's window): an interruption still, for library callers and the inbox job, but it carries the run's
 * summary so the CLI can end with the import's own outcome instead of "run the same command again".
 */
import { InterruptedError } from "../errors.js";
import { abortError } from "../util/abort.js";
import type { ImportSummary } from "./types.js";

export class StoppedAfterOutcomes extends InterruptedError {
  constructor(
    signal: "SIGINT" | "SIGTERM",
    readonly summary: ImportSummary,
  ) {
    super(signal);
    this.name = "StoppedAfterOutcomes";
  }
}

/** The error to end a run stopped after its outcomes: StoppedAfterOutcomes for a signal, else the abort's own reason. */
export function stoppedAfterOutcomes(signal: AbortSignal, summary: ImportSummary): Error {
  const error = abortError(signal);
  return error instanceof InterruptedError ? new StoppedAfterOutcomes(error.signal, summary) : error;
}
