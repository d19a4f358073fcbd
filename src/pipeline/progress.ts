/**
 * Progress for people: a single redrawn line on a TTY, or a periodic log line otherwise.
 * The pipeline reports counts as often as it likes; this module decides when to show them.
 */
import { formatDuration } from "../util/duration.js";

export interface ProgressSnapshot {
  /** Rows read so far (all statuses). */
  readonly read: number;
  /** Whether the input has been read to the end. */
  readonly readDone: boolean;
  /** Valid rows read so far. */
  readonly valid: number;
  readonly submitted: number;
  /** Valid rows with a final outcome (imported, already registered, failed, timed out). */
  readonly completed: number;
  /** Valid rows that were submitted and not imported: failed or timed out (the summary's "failed" and "timed out"). */
  readonly failed: number;
  /** Rows never submitted: invalid or duplicate (the summary's "rejected"); not "failed". */
  readonly rejected: number;
}

export interface ProgressSink {
  update(snapshot: ProgressSnapshot): void;
  /** Draws the final state (and ends the TTY line). */
  finish(snapshot: ProgressSnapshot): void;
}

export interface ProgressOptions {
  readonly now: () => number;
  /** Milliseconds between redraws (TTY) or log lines (otherwise). */
  readonly everyMs: number;
}

/** Seconds left at the current completion rate, or undefined while it cannot be estimated. */
export function estimateRemainingMs(s: ProgressSnapshot, elapsedMs: number): number | undefined {
  if (!s.readDone || s.completed === 0 || elapsedMs <= 0) return undefined;
  const remaining = s.valid - s.completed;
  return remaining <= 0 ? 0 : (remaining * elapsedMs) / s.completed;
}

const number = new Intl.NumberFormat("en-US");

/** The one-line text of the bar, e.g. "[#####-----]  50% read 1,000 · submitted 800 · done 500 · failed 3 · rejected 2 · ETA 40s". */
export function renderProgressLine(s: ProgressSnapshot, elapsedMs: number, width = 20): string {
  const total = s.readDone ? s.valid : Math.max(s.valid, 1);
  const ratio = total === 0 ? 1 : Math.min(1, s.completed / total);
  const filled = Math.round(ratio * width);
  const bar = `[${"#".repeat(filled)}${"-".repeat(width - filled)}]`;
  const percent = s.readDone ? `${Math.floor(ratio * 100)}%`.padStart(4) : "  ?%";
  const eta = estimateRemainingMs(s, elapsedMs);
  return (
    `${bar} ${percent} read ${number.format(s.read)} · submitted ${number.format(s.submitted)} · ` +
    `done ${number.format(s.completed)} · failed ${number.format(s.failed)} · rejected ${number.format(s.rejected)} · ETA ${eta === undefined ? "--" : formatDuration(Math.ceil(eta / 1000) * 1000)}`
  );
}

/** A bar redrawn in place on a terminal, at most once per `everyMs`. */
export function ttyProgress(write: (text: string) => void, options: ProgressOptions): ProgressSink {
  const started = options.now();
  let lastDraw = Number.NEGATIVE_INFINITY;
  const draw = (s: ProgressSnapshot): void => {
    write(`\r\x1b[2K${renderProgressLine(s, options.now() - started)}`);
  };
  return {
    update(s) {
      const now = options.now();
      if (now - lastDraw < options.everyMs) return;
      lastDraw = now;
      draw(s);
    },
    finish(s) {
      draw(s);
      write("\n");
    },
  };
}

/** A structured log line every `everyMs`, for runs without a terminal (containers, schedulers). */
export function logProgress(log: (fields: Record<string, unknown>, message: string) => void, options: ProgressOptions): ProgressSink {
  const started = options.now();
  let lastLog = started;
  const emit = (s: ProgressSnapshot): void => {
    const elapsed = options.now() - started;
    const eta = estimateRemainingMs(s, elapsed);
    log({ progress: { ...s, elapsedMs: elapsed, etaMs: eta === undefined ? null : Math.round(eta) } }, "import progress");
  };
  return {
    update(s) {
      const now = options.now();
      if (now - lastLog < options.everyMs) return;
      lastLog = now;
      emit(s);
    },
    finish(s) {
      emit(s);
    },
  };
}
