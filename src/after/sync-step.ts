/**
 * The after-import stage's sync, in two parts so the sync never holds back the outcomes: `syncNow` triggers it once
 * without waiting; when the 10-minute rule refuses it and waiting was chosen (--sync-wait), the wait for the window is
 * handed back as `later`, for the pipeline to run once the summary and the report path are told. `later` waits
 * (visibly, through `view`) and triggers once more; a signal during the wait ends it without an error.
 */
import { AutopilotImportError } from "../errors.js";
import type { GraphClient } from "../graph/client.js";
import type { SyncOutcome } from "../pipeline/types.js";
import { sleep as realSleep } from "../util/abort.js";
import type { BackoffPolicy } from "../util/backoff.js";
import { formatDuration } from "../util/duration.js";
import { DEFAULT_SYNC_MAX_WAIT_MS, triggerAutopilotSync, type SyncResult } from "./sync.js";
import type { AfterRuntime } from "./types.js";

/** Where a wait for the sync window shows itself: a countdown on a terminal, log lines otherwise. */
export interface SyncWaitView {
  /** The wait starts; the window opens at `opensAt` (epoch ms). */
  start(opensAt: number): void;
  /** The wait is over (the window opened, or the wait was stopped). */
  end(): void;
}

export interface SyncStepOptions extends AfterRuntime {
  /** After a refusal by the 10-minute rule, wait for the window (after the outcomes are told) and trigger once more. */
  readonly wait: boolean;
  /** Longest wait, from the first trigger: for the window, and for a sync someone else runs. Default 15 min. */
  readonly maxWaitMs?: number;
  readonly poll?: Partial<BackoffPolicy>;
  readonly view?: SyncWaitView;
}

export interface SyncStep {
  /** What to tell with the outcomes. */
  readonly outcome: SyncOutcome;
  /** The deferred wait and second trigger: only after a refusal, with waiting chosen and the window within the wait. */
  readonly later?: (signal: AbortSignal) => Promise<SyncOutcome>;
}

/** What the next run does about a sync refused by the 10-minute rule. */
export const SYNC_LEFT_FOR_LATER = "'autopilot-import sync' then triggers it, and so does the next import in the same state directory or the next inbox job";

const outcomeOf = (result: SyncResult, message = result.message): SyncOutcome => ({ status: result.status, message, ...(result.retryAt ? { retryAt: result.retryAt } : {}) });

/** A failure of the service or of sign-in becomes an `error` outcome; anything else is thrown. */
async function attempt(run: () => Promise<SyncResult>, signal: AbortSignal, log: AfterRuntime["logger"]): Promise<SyncResult | SyncOutcome> {
  try {
    return await run();
  } catch (error) {
    if (signal.aborted || !(error instanceof AutopilotImportError) || error.kind === "interrupted") throw error;
    log?.warn({ err: error }, "Autopilot sync failed");
    return { status: "error", message: `the sync could not be triggered: ${error.message}` };
  }
}

const isResult = (value: SyncResult | SyncOutcome): value is SyncResult => "triggers" in value;

export async function syncNow(client: GraphClient, options: SyncStepOptions, signal: AbortSignal): Promise<SyncStep> {
  const now = options.now ?? Date.now;
  const started = now();
  const maxWaitMs = options.maxWaitMs ?? DEFAULT_SYNC_MAX_WAIT_MS;
  const trigger = (waitMs: number, s: AbortSignal): Promise<SyncResult> =>
    triggerAutopilotSync(client, { ...options, signal: s, wait: false, maxWaitMs: waitMs, ...(options.poll ? { poll: options.poll } : {}) });
  const first = await attempt(() => trigger(maxWaitMs, signal), signal, options.logger);
  if (!isResult(first)) return { outcome: first };
  if (first.status !== "tooSoon" || first.retryAt === undefined) return { outcome: outcomeOf(first) };
  const opensAt = Date.parse(first.retryAt);
  const inText = formatDuration(Math.max(1_000, Math.ceil((opensAt - now()) / 1_000) * 1_000));
  const refused = `refused by the 10-minute rule (one manual sync per 10 minutes per tenant); it can be run at ${first.retryAt} (in ${inText})`;
  if (!options.wait) return { outcome: outcomeOf(first, `${refused}: ${SYNC_LEFT_FOR_LATER} (--sync-wait waits for it)`) };
  if (opensAt > started + maxWaitMs) return { outcome: outcomeOf(first, `${refused}, beyond --sync-max-wait ${formatDuration(maxWaitMs)}: ${SYNC_LEFT_FOR_LATER}`) };

  const later = async (laterSignal: AbortSignal): Promise<SyncOutcome> => {
    const waitStart = now();
    options.logger?.info({ retryAt: first.retryAt }, "waiting for the sync window, then triggering the sync once more");
    options.view?.start(opensAt);
    try {
      await (options.sleep ?? realSleep)(Math.max(0, opensAt - now()), laterSignal);
    } catch (error) {
      if (!laterSignal.aborted) throw error;
      return outcomeOf(first, `not triggered: the wait for the window was stopped; it can be run at ${first.retryAt}: ${SYNC_LEFT_FOR_LATER}`);
    } finally {
      options.view?.end();
    }
    const waited = formatDuration(Math.max(0, now() - waitStart));
    const second = await attempt(() => trigger(Math.max(0, started + maxWaitMs - now()), laterSignal), laterSignal, options.logger).catch((error: unknown) => {
      if (laterSignal.aborted) return outcomeOf(first, `not triggered: the run was stopped; ${SYNC_LEFT_FOR_LATER}`);
      throw error;
    });
    if (!isResult(second)) return second;
    if (second.status === "triggered") return outcomeOf(second, `Autopilot sync triggered (after waiting ${waited} for the 10-minute window).`);
    if (second.status === "tooSoon") return outcomeOf(second, `refused again by the 10-minute rule after waiting ${waited}; it can be run at ${second.retryAt ?? "?"}: ${SYNC_LEFT_FOR_LATER}`);
    return outcomeOf(second);
  };
  return { outcome: outcomeOf(first, `${refused}: waiting for it once the report is written, then triggering it once more (--no-sync-wait: don't wait)`), later };
}
