/**
 * Triggers the Autopilot sync exactly once (POST /beta/deviceManagement/windowsAutopilotSettings/sync), and deals with
 * the service's two refusals without hammering it: 409 (a sync is running: wait for it through the settings) and 429
 * (the 10-minute rule: work out when the window opens; with `wait`, sleep until then and trigger once more).
 */
import { sleep as realSleep } from "../util/abort.js";
import type { GraphClient } from "../graph/client.js";
import { GraphRequestError, OutcomeUnknownError } from "../graph/errors/index.js";
import type { AutopilotSettings } from "../graph/resources.js";
import { serverRetryDelay } from "../graph/retry/retry-after.js";
import { nextBackoff, waitWithinDeadline, type BackoffPolicy } from "../util/backoff.js";
import { readAutopilotSettings, SETTINGS_PATH } from "./settings.js";
import { parseGraphTime, syncWindowOpensAt, type SyncWindow } from "./sync-window.js";
import type { AfterRuntime } from "./types.js";

export const SYNC_PATH = `${SETTINGS_PATH}/sync`;

/** POSTs to the sync action per call, ever: the first, and one more after a 429 window, a failed sync or a lost answer. */
export const MAX_SYNC_TRIGGERS = 2;
/** Bound on all waiting: a 10-minute window plus a sync's run. */
export const DEFAULT_SYNC_MAX_WAIT_MS = 15 * 60_000;
/** How often the settings are read while someone else's sync runs. */
export const DEFAULT_SYNC_POLL: BackoffPolicy = { minMs: 10_000, maxMs: 60_000, factor: 2 };
/** How far the service's clock may be behind ours when confirming a trigger whose answer was lost. */
const CLOCK_SKEW_MS = 60_000;

export interface SyncOptions extends AfterRuntime {
  /** After a 429, wait until the window opens (within maxWaitMs) and trigger once more. Default false. */
  readonly wait?: boolean;
  /** Longest total wait: for a running sync to finish, and for the 429 window. Default 15 min. */
  readonly maxWaitMs?: number;
  /** Waits between settings reads while a sync runs. */
  readonly poll?: Partial<BackoffPolicy>;
}

/**
 * triggered: our POST started a sync (204). joined: one was running (409) and has finished. running: one was running
 * and had not finished within the wait. tooSoon: refused by the 10-minute rule; `retryAt` says when it can be run.
 * failed: the sync we waited for ended `failed` and no further trigger was allowed.
 */
export type SyncStatus = "triggered" | "joined" | "running" | "tooSoon" | "failed";

export interface SyncResult {
  readonly status: SyncStatus;
  /** POSTs sent to the sync action. */
  readonly triggers: number;
  /** Time spent waiting (for a running sync, or for the window); requests not included. */
  readonly waitedMs: number;
  /** tooSoon: when a sync can be triggered (ISO 8601). */
  readonly retryAt?: string;
  /** tooSoon: what retryAt is based on. */
  readonly retryAtSource?: SyncWindow["source"];
  /** The settings as last read, when they were. */
  readonly settings?: AutopilotSettings;
  /** One line for people. */
  readonly message: string;
}

/** Whether the run may count the sync as done (exit 0). */
export function syncSucceeded(result: Pick<SyncResult, "status">): boolean {
  return result.status === "triggered" || result.status === "joined" || result.status === "running";
}

function minutes(ms: number): string {
  return ms < 90_000 ? `${Math.max(0, Math.round(ms / 1000))} s` : `${Math.round(ms / 60_000)} min`;
}

export async function triggerAutopilotSync(client: GraphClient, options: SyncOptions = {}): Promise<SyncResult> {
  const now = options.now ?? Date.now;
  const realOrInjected = options.sleep ?? realSleep;
  let waitedMs = 0;
  const sleep: NonNullable<AfterRuntime["sleep"]> = (ms, s) => {
    waitedMs += ms;
    return realOrInjected(ms, s);
  };
  const signal = options.signal ?? new AbortController().signal;
  const log = options.logger;
  const poll: BackoffPolicy = { ...DEFAULT_SYNC_POLL, ...options.poll };
  const deadline = now() + (options.maxWaitMs ?? DEFAULT_SYNC_MAX_WAIT_MS);
  let triggers = 0;
  const done = (fields: Omit<SyncResult, "triggers" | "waitedMs">): SyncResult => {
    const result = { ...fields, triggers, waitedMs };
    log?.info({ sync: { status: result.status, triggers, waitedMs: result.waitedMs, retryAt: result.retryAt } }, result.message);
    return result;
  };

  for (;;) {
    triggers += 1;
    const sentAt = now();
    try {
      // The 429 is a rule to reason about, not throttling to wait out: the client must hand it back at once.
      await client.request({ method: "POST", path: SYNC_PATH, version: "beta", retry: { maxThrottleRetries: 0 }, signal });
      return done({ status: "triggered", message: `Autopilot sync triggered${waitedMs > 0 ? ` (after waiting ${minutes(waitedMs)})` : ""}.` });
    } catch (error) {
      if (error instanceof GraphRequestError && error.status === 409) {
        log?.info({ triggers }, "a sync is already running: waiting for it through windowsAutopilotSettings");
        const running = await waitForRunningSync(client, { deadline, poll, now, sleep, signal });
        if (!running.ended) {
          return done({ status: "running", settings: running.settings, message: `A sync was already running; it had not finished after ${minutes(waitedMs)}.` });
        }
        if (running.settings?.syncStatus !== "failed") {
          const at = running.settings?.lastSyncDateTime;
          return done({ status: "joined", settings: running.settings, message: `A sync was already running; it completed${at ? ` at ${at}` : ""}.` });
        }
        if (triggers < MAX_SYNC_TRIGGERS) continue; // that sync failed: ours has not happened yet
        return done({ status: "failed", settings: running.settings, message: "The running sync ended failed; no further sync was triggered." });
      }
      if (error instanceof GraphRequestError && error.status === 429) {
        const { window, settings } = await windowAfterRefusal(client, error, now(), signal);
        const retryAt = new Date(window.opensAt).toISOString();
        const fits = window.opensAt <= deadline;
        if (options.wait === true && triggers < MAX_SYNC_TRIGGERS && fits) {
          log?.info({ retryAt, source: window.source }, "sync refused by the 10-minute rule: waiting for the window");
          await sleep(Math.max(0, window.opensAt - now()), signal);
          continue;
        }
        const why = options.wait !== true ? "" : !fits ? " (beyond the wait allowed)" : " (and a retry was already refused)";
        return done({
          status: "tooSoon",
          retryAt,
          retryAtSource: window.source,
          ...(settings ? { settings } : {}),
          message: `The Autopilot sync can be triggered only once every 10 minutes; it can be run at ${retryAt} (in ${minutes(window.opensAt - now())})${why}.`,
        });
      }
      if (error instanceof OutcomeUnknownError) {
        // Whether the lost POST landed shows in the settings; resending blindly could start a second sync.
        const settings = await readAutopilotSettings(client, signal);
        const last = parseGraphTime(settings.lastManualSyncTriggerDateTime);
        if (settings.syncStatus === "inProgress" || (last !== undefined && last >= sentAt - CLOCK_SKEW_MS)) {
          return done({ status: "triggered", settings, message: "Autopilot sync triggered (its answer was lost; confirmed through windowsAutopilotSettings)." });
        }
        if (triggers < MAX_SYNC_TRIGGERS) continue;
      }
      throw error;
    }
  }
}

/** When a sync may be triggered again: Retry-After if the 429 had one, otherwise the settings' last manual trigger. */
async function windowAfterRefusal(
  client: GraphClient,
  error: GraphRequestError,
  now: number,
  signal: AbortSignal,
): Promise<{ window: SyncWindow; settings?: AutopilotSettings }> {
  const retryAfterMs = serverRetryDelay(error.response.headers, now);
  if (retryAfterMs !== undefined) return { window: syncWindowOpensAt({ now, retryAfterMs }) };
  const settings = await readAutopilotSettings(client, signal);
  return { window: syncWindowOpensAt({ now, lastManualSyncTriggerDateTime: settings.lastManualSyncTriggerDateTime }), settings };
}

interface RunningWait {
  readonly deadline: number;
  readonly poll: BackoffPolicy;
  readonly now: () => number;
  readonly sleep: NonNullable<AfterRuntime["sleep"]>;
  readonly signal: AbortSignal;
}

/** Reads the settings with growing waits until syncStatus leaves inProgress or the deadline passes (checked last at it). */
async function waitForRunningSync(client: GraphClient, w: RunningWait): Promise<{ ended: boolean; settings?: AutopilotSettings }> {
  let settings: AutopilotSettings | undefined;
  let delay: number | undefined;
  for (;;) {
    delay = nextBackoff(delay, w.poll);
    const wait = waitWithinDeadline(delay, w.now(), w.deadline);
    if (wait === undefined) return settings ? { ended: false, settings } : { ended: false };
    await w.sleep(wait, w.signal);
    settings = await readAutopilotSettings(client, w.signal);
    if (settings.syncStatus !== "inProgress") return { ended: true, settings };
  }
}
