/**
 * The one poller of a run: refreshes the devices in flight with as few requests as it can (see poll-strategy.ts),
 * waits longer while nothing changes, and reports each device once it is final or its deadline has passed.
 *
 * When refreshing everything costs at most PROBE_WHEN_ROUND_COSTS_MORE_THAN requests, every round does, on one
 * interval that starts short, backs off while nothing changes and resets on progress. Otherwise rounds refresh only
 * the uploads whose time has come (poll-schedule.ts: the oldest upload until a device finishes, then each upload once
 * the processing time learned from finished devices has passed, poll-estimates.ts), and everything in flight at least
 * every couple of minutes. The requests of a round, per strategy, are in poll-refresh.ts.
 */
import type { DeviceImportStatus, ImportedDeviceIdentity } from "../graph/resources.js";
import { isTransientServiceError } from "../errors.js";
import { abortError } from "../util/abort.js";
import { isTerminal, verdictFor } from "./outcomes.js";
import { ProcessingTime, StagedCollection } from "./poll-estimates.js";
import { pollTimedOut, stagedRecordMissing, type PollOutcome } from "./poll-outcome.js";
import { cheapestRefresh, refreshWith, type RefreshContext, type Refreshed } from "./poll-refresh.js";
import { PollSchedule, type UploadState } from "./poll-schedule.js";
import { countRound, newPollerStats, type PollerStats } from "./poll-stats.js";
import { nextInterval, waitBeforeNextRound, type IntervalPolicy } from "./poll-strategy.js";
import type { ServiceCapabilities, StagedApi } from "./staged-api.js";
import { TrackedDevices } from "./tracked-devices.js";
import type { TrackedDevice } from "./types.js";
import { Wakeup } from "./wakeup.js";

export type { PollOutcome } from "./poll-outcome.js";
export type { PollerStats } from "./poll-stats.js";

export interface PollerDeps {
  readonly api: StagedApi;
  readonly capabilities: ServiceCapabilities;
  readonly policy: IntervalPolicy;
  /** How long a device may stay in progress after it was staged. */
  readonly pollTimeoutMs: number;
  readonly now: () => number;
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly onFinal: (device: TrackedDevice, outcome: PollOutcome) => void;
  readonly log?: (fields: Record<string, unknown>, message: string) => void;
  readonly signal: AbortSignal;
}

/** Refreshing everything costing more requests than this makes rounds refresh only the uploads that are due. */
const PROBE_WHEN_ROUND_COSTS_MORE_THAN = 2;

/** Poll rounds in a row that may fail transiently before the run gives up. */
const MAX_FAILED_ROUNDS = 5;

/** Complete answers (listings or 404s) in a row that must miss a record before it is considered deleted. */
const MISSES_BEFORE_GONE = 3;

interface RoundResult extends Refreshed {
  /** Whether everything in flight was refreshed. */
  readonly full: boolean;
}

export class Poller {
  readonly #deps: PollerDeps;
  /** In staging order, compactly (tracked-devices.ts): at scale every device of the run may be in flight at once. */
  readonly #tracked = new TrackedDevices();
  readonly #processingTime = new ProcessingTime();
  readonly #collection = new StagedCollection();
  readonly #schedule: PollSchedule;
  readonly #refreshContext: RefreshContext;
  #closed = false;
  #failedRounds = 0;
  readonly #wakeup = new Wakeup();
  readonly stats: PollerStats = newPollerStats();

  constructor(deps: PollerDeps) {
    this.#deps = deps;
    this.#schedule = new PollSchedule({ policy: deps.policy, now: deps.now, processingMs: () => this.#processingTime.ms });
    this.#refreshContext = {
      api: deps.api,
      capabilities: deps.capabilities,
      collection: this.#collection,
      now: deps.now,
      signal: deps.signal,
      log: deps.log,
      tracked: (stagedId) => {
        const slot = this.#tracked.find(stagedId);
        return slot === undefined ? undefined : this.#tracked.stagedAt(slot);
      },
      inFlightIds: (uploads) => this.#tracked.idsIn(uploads.map((u) => u.id)),
      apply: (record) => this.#apply(record),
      miss: (stagedId) => this.#miss(stagedId),
    };
  }

  /** Devices not yet final. */
  get inFlight(): number {
    return this.#tracked.size;
  }

  /** Estimated size of the whole staged collection; undefined until a full listing has been read. */
  get stagedEstimate(): number | undefined {
    return this.#collection.estimate;
  }

  /** Starts following a staged device. */
  track(device: TrackedDevice): void {
    this.#tracked.add(device);
    this.#schedule.add(device);
    this.#collection.addOurs();
    this.#wakeup.wake();
  }

  /** Counts a staged record that was final at once (it still occupies the staged collection). */
  noteStaged(): void {
    this.#collection.addOurs();
  }

  /** No more devices will be tracked: run() returns once the tracked ones are final. */
  close(): void {
    this.#closed = true;
    this.#wakeup.wake();
  }

  /** Polls until closed and nothing is left in flight. */
  async run(): Promise<void> {
    const { now, sleep, policy, signal } = this.#deps;
    let base: number = policy.minMs;
    let nextRoundAt = Number.POSITIVE_INFINITY;
    /** Earliest next round, so polling uses a bounded share of the request budget. */
    let notBefore = Number.NEGATIVE_INFINITY;
    for (;;) {
      if (signal.aborted) throw abortError(signal);
      if (this.#tracked.size === 0) {
        if (this.#closed) return;
        await this.#wakeup.wait(signal);
        nextRoundAt = Number.POSITIVE_INFINITY;
        continue;
      }
      if (nextRoundAt === Number.POSITIVE_INFINITY) {
        // Work arrived: the first round comes after the shortest interval, and the backoff starts from there.
        base = policy.minMs;
        nextRoundAt = now() + base;
      }
      // Uploads' own times drive the rounds; when refreshing everything is cheap, one shared backoff does too.
      const planned = this.#schedule.plannedAt(this.#selective(), nextRoundAt);
      const wakeAt = Math.max(Math.min(planned, this.#earliestDeadline()), notBefore);
      const wait = wakeAt - now();
      if (wait > 0) await sleep(wait, signal);
      const { progressed, units } = await this.#tolerate(() => this.#round(this.#selective()));
      this.#expire();
      base = nextInterval(base, progressed, policy);
      nextRoundAt = now() + base;
      notBefore = now() + waitBeforeNextRound(0, units, policy);
    }
  }

  /** Whether rounds refresh only the uploads whose time has come (refreshing everything would cost several requests). */
  #selective(): boolean {
    return (cheapestRefresh(this.#refreshContext, this.#schedule.uploads)?.requests ?? 0) > PROBE_WHEN_ROUND_COSTS_MORE_THAN;
  }

  /** Devices are tracked in staging order, so the first one has the earliest deadline. */
  #earliestDeadline(): number {
    const first = this.#tracked.first();
    return first === undefined ? Number.POSITIVE_INFINITY : this.#tracked.stagedAt(first) + this.#deps.pollTimeoutMs;
  }

  /**
   * Runs a round; a transient failure (5xx, throttling or network trouble that outlasted the client's retries) counts
   * as a round without progress, so the next one backs off and tries again. Anything else, or too many in a row, is fatal.
   */
  async #tolerate(round: () => Promise<RoundResult>): Promise<RoundResult> {
    try {
      const result = await round();
      this.#failedRounds = 0;
      return result;
    } catch (error) {
      if (!isTransientServiceError(error) || this.#deps.signal.aborted || ++this.#failedRounds > MAX_FAILED_ROUNDS) throw error;
      this.stats.failedRounds += 1;
      this.#deps.log?.({ err: error, failedRounds: this.#failedRounds }, "poll round failed; trying again later");
      return { progressed: false, full: true, units: 0, requests: 0 };
    }
  }

  async #round(selective: boolean): Promise<RoundResult> {
    const { full, due } = this.#schedule.startRound(selective);
    if (due.length === 0) return { progressed: false, full, units: 0, requests: 0 };
    const result = await this.#refresh(due, full);
    this.#schedule.endRound(due, this.#tracked.size);
    return result;
  }

  async #refresh(uploads: UploadState[], full: boolean): Promise<RoundResult> {
    const choice = cheapestRefresh(this.#refreshContext, uploads);
    if (!choice) return { progressed: false, full, units: 0, requests: 0 };
    countRound(this.stats, choice.strategy, full);
    if (full) this.#schedule.refreshedAll(this.#deps.now());
    const ids = [...this.#tracked.idsIn(uploads.map((u) => u.id)).values()].flat();
    const result = await refreshWith(choice.strategy, this.#refreshContext, uploads, ids);
    this.stats.requests += result.requests;
    this.#deps.log?.(
      { strategy: choice.strategy, full, uploads: uploads.length, devices: ids.length, inFlight: this.#tracked.size, requests: result.requests, progressed: result.progressed },
      "poll round",
    );
    return { ...result, full };
  }

  /** Applies a fresh record; true when something changed. */
  #apply(record: ImportedDeviceIdentity): boolean {
    const tracked = this.#tracked;
    const slot = tracked.find(record.id);
    if (slot === undefined) return false;
    tracked.seen(slot);
    const status: DeviceImportStatus = record.state.deviceImportStatus;
    const uploadId = tracked.uploadId(slot);
    if (isTerminal(status)) {
      this.#processingTime.learn(tracked.stagedAt(slot), this.#schedule.lastCheckedAt(uploadId), this.#deps.now());
      this.stats.processingMs = this.#processingTime.ms ?? null;
      this.#schedule.progressed(uploadId);
      this.#finish(slot, verdictFor(record));
      return true;
    }
    if (status === tracked.status(slot)) return false;
    tracked.setStatus(slot, status);
    this.#schedule.progressed(uploadId);
    return true;
  }

  #finish(slot: number, outcome: PollOutcome): void {
    // The device leaves memory here: what the report needs of it travels on as one object.
    const device = this.#tracked.device(slot);
    this.#tracked.remove(slot);
    this.#schedule.remove(device.uploadId);
    this.#deps.onFinal(device, outcome);
  }

  /** A record absent from a complete answer: after a few misses in a row, report it failed. */
  #miss(stagedId: string): boolean {
    const slot = this.#tracked.find(stagedId);
    if (slot === undefined) return false;
    if (this.#tracked.miss(slot) < MISSES_BEFORE_GONE) return false;
    this.#finish(slot, stagedRecordMissing(this.#tracked.status(slot)));
    return true;
  }

  /** Reports `timeout` for every device whose deadline has passed. */
  #expire(): void {
    const now = this.#deps.now();
    for (const slot of this.#tracked.slots()) {
      if (this.#tracked.stagedAt(slot) + this.#deps.pollTimeoutMs > now) break; // staging order: the rest are younger
      this.#finish(slot, pollTimedOut(this.#tracked.status(slot), this.#deps.pollTimeoutMs));
    }
  }
}
