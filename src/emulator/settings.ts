import type { AutopilotSettings, AutopilotSyncStatus } from "../graph/resources.js";
import type { EmulatorClock, ScheduledTask } from "./clock.js";
import type { Random } from "../util/random.js";
import { iso } from "./representation.js";
import type { Scenario } from "./scenario.js";
import type { StatsCollector } from "./stats.js";

export type SyncAttempt =
  | { readonly outcome: "started" }
  | { readonly outcome: "inProgress" }
  /** Within the minimum interval of the previous manual trigger; `waitMs` is emulated. */
  | { readonly outcome: "tooSoon"; readonly waitMs: number };

const NEVER = Date.parse("0001-01-01T00:00:00Z");
const SYNC_STATUSES: ReadonlySet<string> = new Set(["unknown", "inProgress", "completed", "failed"]);

export const isSyncStatus = (value: string): value is AutopilotSyncStatus => SYNC_STATUSES.has(value);

/**
 * The windowsAutopilotSettings singleton and its sync state machine:
 * sync → inProgress for `durationMs`, then completed (lastSyncDateTime moves) or failed.
 * `syncStatus` is the single source of truth for "a sync is running" (a PATCH can change it).
 */
export class AutopilotSettingsState {
  readonly id: string;
  lastSyncDateTime: number;
  lastManualSyncTriggerDateTime = NEVER;
  syncStatus: AutopilotSyncStatus = "completed";
  private running: ScheduledTask | undefined;

  constructor(
    id: string,
    private readonly clock: EmulatorClock,
    private readonly random: () => Random,
    private readonly scenario: () => Scenario,
    private readonly stats: () => StatsCollector,
  ) {
    this.id = id;
    // The service syncs on its own schedule; a fresh tenant has synced recently but never manually.
    this.lastSyncDateTime = clock.now() - 3_600_000;
  }

  toGraph(): AutopilotSettings & { "@odata.type": string } {
    return {
      "@odata.type": "#microsoft.graph.windowsAutopilotSettings",
      id: this.id,
      lastSyncDateTime: iso(this.lastSyncDateTime),
      lastManualSyncTriggerDateTime: iso(this.lastManualSyncTriggerDateTime),
      syncStatus: this.syncStatus,
    };
  }

  trigger(): SyncAttempt {
    const stats = this.stats();
    if (this.syncStatus === "inProgress") {
      stats.sync.rejectedInProgress += 1;
      return { outcome: "inProgress" };
    }
    const now = this.clock.now();
    const { minIntervalMs, durationMs, failureRate } = this.scenario().sync;
    const waitMs = this.lastManualSyncTriggerDateTime + minIntervalMs - now;
    if (waitMs > 0) {
      stats.sync.rejectedTooSoon += 1;
      return { outcome: "tooSoon", waitMs };
    }
    stats.sync.triggered += 1;
    this.lastManualSyncTriggerDateTime = now;
    this.syncStatus = "inProgress";
    const fails = this.random().next() < failureRate;
    this.running?.cancel();
    this.running = this.clock.scheduleAt(now + durationMs, () => {
      this.running = undefined;
      if (fails) {
        this.syncStatus = "failed";
        this.stats().sync.failed += 1;
      } else {
        this.syncStatus = "completed";
        this.lastSyncDateTime = this.clock.now();
        this.stats().sync.completed += 1;
      }
    });
    return { outcome: "started" };
  }

  reset(): void {
    this.running?.cancel();
    this.running = undefined;
    this.syncStatus = "completed";
    this.lastManualSyncTriggerDateTime = NEVER;
    this.lastSyncDateTime = this.clock.now() - 3_600_000;
  }
}
