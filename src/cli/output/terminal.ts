/**
 * How a run shows itself here: the logger (on a terminal without --log-file only errors reach stderr, as text lines
 * that do not tear the progress bar; off a terminal the logs are the progress, as JSON lines unless --log-format
 * says otherwise), the progress, and a line per step.
 */
import type { Logger } from "pino";
import { createLogger, logFileWarning, type LogFormat, type LogLevel } from "../../log.js";
import { logProgress, ttyProgress, type ProgressSink, type ProgressSnapshot } from "../../pipeline/progress.js";
import type { CliContext } from "../context.js";

/** Redraws per second on a terminal, and seconds between progress log lines otherwise. */
export const TTY_REDRAW_MS = 200;
export const LOG_PROGRESS_MS = 10_000;

/** The log's format when --log-format is not given: text for a person at a terminal, JSON lines for files and pipes. */
export function defaultLogFormat(context: CliContext, file: string | undefined): LogFormat {
  return !file && context.stderr.isTTY === true ? "text" : "json";
}

export function loggerFor(context: CliContext, level: LogLevel, file: string | undefined, format?: LogFormat): Logger {
  const chosen = format ?? defaultLogFormat(context, file);
  if (file) return createLogger({ level, file, format: chosen, onFileError: (error) => context.stderr.write(`${logFileWarning(file, error)}\n`) });
  const tty = context.stderr.isTTY === true;
  const quiet = tty && level !== "silent" ? "error" : level;
  // Text lines on a terminal first erase the progress bar's line, which the bar then redraws below them.
  return createLogger({ level: quiet, destination: context.stderr, format: chosen, clearLine: tty && chosen === "text" });
}

function progressFor(context: CliContext, logger: Logger): ProgressSink {
  return context.stderr.isTTY
    ? ttyProgress((text) => context.stderr.write(text), { now: Date.now, everyMs: TTY_REDRAW_MS })
    : logProgress((fields, message) => logger.info(fields, message), { now: Date.now, everyMs: LOG_PROGRESS_MS });
}

/** One run's progress on this terminal or in the log; `finish` draws the end, `abandon` ends a bar cut short. */
export interface RunProgress {
  update(snapshot: ProgressSnapshot): void;
  finish(): void;
  abandon(): void;
}

/** Progress with a ticker: long quiet stretches (devices processing) still get a line every interval. */
export function startProgress(context: CliContext, logger: Logger): RunProgress {
  const sink = progressFor(context, logger);
  let last: ProgressSnapshot | undefined;
  let ended = false;
  // The sink decides when a line is due.
  const ticker = setInterval(() => last && sink.update(last), context.stderr.isTTY ? 1_000 : LOG_PROGRESS_MS);
  ticker.unref();
  return {
    update(snapshot) {
      last = snapshot;
      sink.update(snapshot);
    },
    finish() {
      clearInterval(ticker);
      if (!ended && last) sink.finish(last);
      ended = true;
    },
    abandon() {
      clearInterval(ticker);
      if (!ended && last && context.stderr.isTTY) context.stderr.write("\n");
      ended = true;
    },
  };
}

/** On a terminal, each after-import step gets a line above the progress bar (elsewhere the log has it). */
export function stepLine(context: CliContext): ((message: string) => void) | undefined {
  return context.stderr.isTTY ? (message) => context.stderr.write(`\r\x1b[2K${message}\n`) : undefined;
}
