/**
 * When the Autopilot sync may be triggered again after a 429. The service allows one manual sync per 10 minutes per
 * tenant; it says so either through Retry-After or through windowsAutopilotSettings.lastManualSyncTriggerDateTime.
 */

/** The service's minimum interval between manual syncs. */
export const SYNC_INTERVAL_MS = 10 * 60_000;

/** lastManualSyncTriggerDateTime of a tenant that never synced manually ("0001-01-01T00:00:00Z"). */
const NEVER_BEFORE = Date.UTC(1971, 0, 1);

export interface SyncWindowInput {
  readonly now: number;
  /** The 429's Retry-After, in milliseconds, when it carried one. */
  readonly retryAfterMs?: number | undefined;
  /** windowsAutopilotSettings.lastManualSyncTriggerDateTime, as read after the 429. */
  readonly lastManualSyncTriggerDateTime?: string | null | undefined;
  /** Default SYNC_INTERVAL_MS. */
  readonly intervalMs?: number;
  /** Added to the settings-derived time: the service's timestamps are rounded and its clock is not ours. Default 5 s. */
  readonly marginMs?: number;
  /** The shortest wait derived from the settings, so a skewed clock cannot make us call again at once. Default 30 s. */
  readonly minimumWaitMs?: number;
}

export interface SyncWindow {
  /** Epoch ms from which a trigger should be accepted. */
  readonly opensAt: number;
  /** What the time is based on. */
  readonly source: "retryAfter" | "lastManualSyncTrigger" | "interval";
}

/** Parses a Graph DateTimeOffset; undefined for absent, unparseable or "never" (year 0001) values. */
export function parseGraphTime(value: string | null | undefined): number | undefined {
  if (!value) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) || ms < NEVER_BEFORE ? undefined : ms;
}

/**
 * The later of what the service told us (both are lower bounds on when it will accept a trigger); a full interval from
 * now when it told us nothing. Retry-After is honoured exactly; a time derived from the settings (our clock against
 * the service's) is never sooner than the minimum wait.
 */
export function syncWindowOpensAt(input: SyncWindowInput): SyncWindow {
  const { now } = input;
  const interval = input.intervalMs ?? SYNC_INTERVAL_MS;
  const margin = input.marginMs ?? 5_000;
  const minimum = now + (input.minimumWaitMs ?? 30_000);
  const candidates: SyncWindow[] = [];
  if (input.retryAfterMs !== undefined) candidates.push({ opensAt: now + input.retryAfterMs, source: "retryAfter" });
  const lastTrigger = parseGraphTime(input.lastManualSyncTriggerDateTime);
  if (lastTrigger !== undefined) candidates.push({ opensAt: lastTrigger + interval + margin, source: "lastManualSyncTrigger" });
  if (candidates.length === 0) return { opensAt: now + interval, source: "interval" };
  const latest = candidates.reduce((a, b) => (b.opensAt > a.opensAt ? b : a));
  return latest.source === "retryAfter" || latest.opensAt >= minimum ? latest : { opensAt: minimum, source: latest.source };
}
