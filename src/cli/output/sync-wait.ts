/**
 * A wait for the sync's 10-minute window, shown as it happens (after the summary and the report path): a countdown
 * redrawn each second on a terminal; otherwise one line when it starts and a log line each minute.
 */
import type { SyncWaitView } from "../../after/sync-step.js";
import { formatDuration } from "../../util/duration.js";

export interface SyncWaitViewOptions {
  readonly now: () => number;
  /** Between redraws on a terminal (default 1 s). */
  readonly redrawMs?: number;
  /** Between log lines otherwise (default 60 s). */
  readonly logEveryMs?: number;
}

const left = (opensAt: number, now: number): string => formatDuration(Math.max(0, Math.ceil((opensAt - now) / 1_000)) * 1_000);

/** The countdown's text, e.g. "sync: the 10-minute window opens in 7m12s; then the sync is triggered once more (Ctrl+C: don't wait)". */
export function syncWaitLine(opensAt: number, now: number): string {
  return `sync: the 10-minute window opens in ${left(opensAt, now)} (at ${new Date(opensAt).toISOString()}); then the sync is triggered once more (Ctrl+C: don't wait)`;
}

export function syncWaitView(
  stderr: { write(text: string): unknown; isTTY?: boolean },
  log: (fields: Record<string, unknown>, message: string) => void,
  options: SyncWaitViewOptions,
): SyncWaitView {
  let timer: NodeJS.Timeout | undefined;
  const tty = stderr.isTTY === true;
  return {
    start(opensAt) {
      const draw = (): void => {
        if (tty) stderr.write(`\r\x1b[2K${syncWaitLine(opensAt, options.now())}`);
        else log({ sync: { retryAt: new Date(opensAt).toISOString(), leftMs: Math.max(0, opensAt - options.now()) } }, "waiting for the sync window");
      };
      if (!tty) stderr.write(`${syncWaitLine(opensAt, options.now())}\n`);
      draw();
      timer = setInterval(draw, tty ? (options.redrawMs ?? 1_000) : (options.logEveryMs ?? 60_000));
      timer.unref();
    },
    end() {
      if (timer) clearInterval(timer);
      if (timer && tty) stderr.write("\r\x1b[2K");
      timer = undefined;
    },
  };
}
