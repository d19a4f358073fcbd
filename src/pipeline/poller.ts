/**
 * The one poller of a run: refreshes every device in flight with as few requests as it can (see poll-strategy.ts),
 * waits longer while nothing changes, and reports each device once it is final or its deadline has passed.
 */
import type { DeviceImportStatus, ImportedDeviceIdentity } from "../graph/resources.js";
import { ServiceError } from "../errors.js";
import { abortError } from "../graph/abort.js";
import { isTerminal, timeoutMessage, verdictFor, type DeviceVerdict } from "./outcomes.js";
import { BATCH_LIMIT, choosePollStrategy, nextInterval, waitBeforeNextRound, type IntervalPolicy, type PollStrategy } from "./poll-strategy.js";
import { isBadRequest } from "./reconcile.js";
import { odataString, type ServiceCapabilities, type StagedApi } from "./staged-api.js";
import type { TrackedDevice } from "./types.js";

/** A device's final outcome as the poller sees it. */
export type PollOutcome =
  | DeviceVerdict
  | { readonly status: "timeout" | "failed"; readonly errorCode: string; readonly errorName: string; readonly message: string; readonly deviceRegistrationId: string };

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

/** A full round costing more requests than this is replaced by one-request probes while nothing changes. */
const PROBE_WHEN_ROUND_COSTS_MORE_THAN = 2;

/** Poll rounds in a row that may fail transiently before the run gives up. */
const MAX_FAILED_ROUNDS = 5;

/** Full listings (or 404s) in a row that must miss a record before it is considered deleted. */
const MISSES_BEFORE_GONE = 3;

export interface PollerStats {
  rounds: number;
  /** One-request looks at the oldest upload between full rounds. */
  probes: number;
  /** Rounds lost to transient failures (retried later). */
  failedRounds: number;
  requests: number;
  byStrategy: Record<PollStrategy, number>;
}

interface UploadCounts {
  /** Devices staged in this upload (a filtered listing returns them all). */
  staged: number;
  /** Staged ids of its devices still in flight. */
  readonly inFlight: Set<string>;
}

export class Poller {
  readonly #deps: PollerDeps;
  readonly #tracked = new Map<string, TrackedDevice>();
  readonly #uploads = new Map<string, UploadCounts>();
  #closed = false;
  #failedRounds = 0;
  #wake: (() => void) | undefined;
  /** Staged records that are not ours, as of the last full listing (undefined before one). */
  #others: number | undefined;
  #stagedByUs = 0;
  readonly stats: PollerStats = { rounds: 0, probes: 0, failedRounds: 0, requests: 0, byStrategy: { batch: 0, list: 0, byUpload: 0 } };

  constructor(deps: PollerDeps) {
    this.#deps = deps;
  }

  /** Devices not yet final. */
  get inFlight(): number {
    return this.#tracked.size;
  }

  /** Estimated size of the whole staged collection; undefined until a full listing has been read. */
  get stagedEstimate(): number | undefined {
    return this.#others === undefined ? undefined : this.#others + this.#stagedByUs;
  }

  /** Starts following a staged device. */
  track(device: TrackedDevice): void {
    this.#tracked.set(device.stagedId, device);
    const counts = this.#uploads.get(device.uploadId) ?? { staged: 0, inFlight: new Set<string>() };
    counts.staged += 1;
    counts.inFlight.add(device.stagedId);
    this.#uploads.set(device.uploadId, counts);
    this.#stagedByUs += 1;
    this.#wake?.();
  }

  /** Counts a staged record that was final at once (it still occupies the staged collection). */
  noteStaged(): void {
    this.#stagedByUs += 1;
  }

  /** No more devices will be tracked: run() returns once the tracked ones are final. */
  close(): void {
    this.#closed = true;
    this.#wake?.();
  }

  /** Polls until closed and nothing is left in flight. */
  async run(): Promise<void> {
    const { now, sleep, policy, signal } = this.#deps;
    let base: number = policy.minMs;
    let nextRoundAt = Number.POSITIVE_INFINITY;
    let nextProbeAt = Number.POSITIVE_INFINITY;
    for (;;) {
      if (signal.aborted) throw abortError(signal);
      if (this.#tracked.size === 0) {
        if (this.#closed) return;
        await this.#idle();
        nextRoundAt = Number.POSITIVE_INFINITY;
        continue;
      }
      if (nextRoundAt === Number.POSITIVE_INFINITY) {
        // Work arrived: the first round comes after the shortest interval, and the backoff starts from there.
        base = policy.minMs;
        nextRoundAt = now() + base;
        nextProbeAt = Number.POSITIVE_INFINITY;
      }
      const deadline = this.#earliestDeadline();
      const due = Math.min(nextRoundAt, nextProbeAt, deadline);
      const wait = due - now();
      if (wait > 0) await sleep(wait, signal);
      if (now() < nextRoundAt && now() < deadline) {
        // Between full rounds a one-request probe of the oldest upload spots the moment devices start to finish.
        const probe = await this.#tolerate(() => this.#probe());
        if (!probe.progressed) {
          nextProbeAt = now() + waitBeforeNextRound(policy.minMs, probe.units, policy);
          continue;
        }
      }
      const { progressed, units, requests } = await this.#tolerate(() => this.#round());
      this.#expire();
      base = nextInterval(base, progressed, policy);
      nextRoundAt = now() + waitBeforeNextRound(base, units, policy);
      // Probing pays only while full rounds cost several requests and nothing is moving.
      nextProbeAt = !progressed && requests > PROBE_WHEN_ROUND_COSTS_MORE_THAN ? now() + policy.minMs : Number.POSITIVE_INFINITY;
    }
  }

  /**
   * Runs a round; a transient failure (5xx, throttling or network trouble that outlasted the client's retries) counts
   * as a round without progress, so the next one backs off and tries again. Anything else, or too many in a row, is fatal.
   */
  async #tolerate(round: () => Promise<{ progressed: boolean; units: number; requests?: number }>): Promise<{ progressed: boolean; units: number; requests: number }> {
    try {
      const result = await round();
      this.#failedRounds = 0;
      return { requests: 0, ...result };
    } catch (error) {
      const transient = error instanceof ServiceError && (error.status === undefined || error.status === 429 || error.status >= 500);
      if (!transient || this.#deps.signal.aborted || ++this.#failedRounds > MAX_FAILED_ROUNDS) throw error;
      this.stats.failedRounds += 1;
      this.#deps.log?.({ err: error, failedRounds: this.#failedRounds }, "poll round failed; trying again later");
      return { progressed: false, units: 0, requests: 0 };
    }
  }

  /** Refreshes the oldest upload's devices with one request (a filtered list, or one $batch of its oldest devices). */
  async #probe(): Promise<{ progressed: boolean; units: number }> {
    const { api, capabilities, signal } = this.#deps;
    const oldest = this.#tracked.values().next();
    if (oldest.done) return { progressed: false, units: 0 };
    const before = api.requests;
    let progressed = false;
    let units = 0;
    this.stats.probes += 1;
    if (capabilities.importIdFilter !== false) {
      try {
        for await (const page of api.list({ filter: `importId eq ${odataString(oldest.value.uploadId)}`, top: capabilities.pageSize, signal })) {
          for (const record of page) progressed = this.#apply(record) || progressed;
        }
        capabilities.importIdFilter = true;
        units = api.requests - before;
      } catch (error) {
        if (!isBadRequest(error)) throw error;
        capabilities.importIdFilter = false;
      }
    }
    if (capabilities.importIdFilter === false) {
      const ids: string[] = [];
      for (const id of this.#tracked.keys()) {
        ids.push(id);
        if (ids.length === BATCH_LIMIT) break;
      }
      const records = await api.get(ids, signal);
      for (const record of records.values()) if (record) progressed = this.#apply(record) || progressed;
      units += ids.length;
    }
    this.stats.requests += api.requests - before;
    this.#deps.log?.({ uploadId: oldest.value.uploadId, progressed, requests: api.requests - before }, "poll probe");
    return { progressed, units };
  }

  #idle(): Promise<void> {
    const { signal } = this.#deps;
    return new Promise<void>((resolve, reject) => {
      const done = (): void => {
        this.#wake = undefined;
        signal.removeEventListener("abort", onAbort);
        resolve();
      };
      const onAbort = (): void => {
        this.#wake = undefined;
        reject(abortError(signal));
      };
      this.#wake = done;
      signal.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Devices are tracked in staging order, so the first one has the earliest deadline. */
  #earliestDeadline(): number {
    const first = this.#tracked.values().next();
    return first.done ? Number.POSITIVE_INFINITY : first.value.stagedAt + this.#deps.pollTimeoutMs;
  }

  async #round(): Promise<{ progressed: boolean; units: number; requests: number }> {
    const { capabilities } = this.#deps;
    const perUpload = [...this.#uploads.values()].map((u) => u.staged);
    const choice = choosePollStrategy({
      inFlight: this.#tracked.size,
      perUpload,
      // Before a full listing the collection's size is unknown: assume at least one page of others' records.
      staged: this.stagedEstimate ?? this.#stagedByUs + capabilities.pageSize,
      pageSize: capabilities.pageSize,
      importIdFilter: capabilities.importIdFilter !== false,
    });
    if (!choice) return { progressed: false, units: 0, requests: 0 };
    this.stats.rounds += 1;
    this.stats.byStrategy[choice.strategy] += 1;
    let result: { progressed: boolean; units: number; requests: number };
    switch (choice.strategy) {
      case "batch":
        result = await this.#refreshByGet();
        break;
      case "byUpload":
        result = await this.#refreshByUpload();
        break;
      case "list":
        result = await this.#refreshByListing();
        break;
    }
    this.stats.requests += result.requests;
    this.#deps.log?.(
      { strategy: choice.strategy, inFlight: this.#tracked.size, requests: result.requests, progressed: result.progressed },
      "poll round",
    );
    return result;
  }

  /** Applies a fresh record; true when something changed. */
  #apply(record: ImportedDeviceIdentity): boolean {
    const device = this.#tracked.get(record.id);
    if (!device) return false;
    device.misses = 0;
    const status: DeviceImportStatus = record.state.deviceImportStatus;
    if (isTerminal(status)) {
      this.#finish(device, verdictFor(record));
      return true;
    }
    if (status === device.status) return false;
    device.status = status;
    return true;
  }

  #finish(device: TrackedDevice, outcome: PollOutcome): void {
    this.#tracked.delete(device.stagedId);
    const counts = this.#uploads.get(device.uploadId);
    if (counts) {
      counts.inFlight.delete(device.stagedId);
      if (counts.inFlight.size === 0) this.#uploads.delete(device.uploadId);
    }
    this.#deps.onFinal(device, outcome);
  }

  /** A record absent from a complete answer: after a few misses in a row, report it failed. */
  #miss(device: TrackedDevice): boolean {
    device.misses += 1;
    if (device.misses < MISSES_BEFORE_GONE) return false;
    this.#finish(device, {
      status: "failed",
      errorCode: "",
      errorName: "StagedRecordMissing",
      message: `the staged record disappeared before its result was read (last status ${device.status}); another tool may have deleted it: check the device in Intune or import it again`,
      deviceRegistrationId: "",
    });
    return true;
  }

  async #refreshByGet(): Promise<{ progressed: boolean; units: number; requests: number }> {
    const ids = [...this.#tracked.keys()];
    const before = this.#deps.api.requests;
    const records = await this.#deps.api.get(ids, this.#deps.signal);
    let progressed = false;
    for (const id of ids) {
      const record = records.get(id);
      if (record) progressed = this.#apply(record) || progressed;
      else if (record === null) {
        const device = this.#tracked.get(id);
        if (device) progressed = this.#miss(device) || progressed;
      }
    }
    return { progressed, units: ids.length, requests: this.#deps.api.requests - before };
  }

  async #refreshByUpload(): Promise<{ progressed: boolean; units: number; requests: number }> {
    const { api, capabilities, signal } = this.#deps;
    const before = api.requests;
    const roundStart = this.#deps.now();
    let progressed = false;
    for (const [uploadId, counts] of [...this.#uploads]) {
      const seen = new Set<string>();
      try {
        for await (const page of api.list({ filter: `importId eq ${odataString(uploadId)}`, top: capabilities.pageSize, signal })) {
          for (const record of page) {
            seen.add(record.id);
            progressed = this.#apply(record) || progressed;
          }
        }
      } catch (error) {
        if (!isBadRequest(error)) throw error;
        capabilities.importIdFilter = false;
        this.#deps.log?.({}, "service rejects $filter on importId; polling by listing instead");
        const listed = await this.#refreshByListing();
        return { ...listed, progressed: listed.progressed || progressed, requests: api.requests - before };
      }
      capabilities.importIdFilter = true;
      for (const id of [...counts.inFlight]) {
        const device = this.#tracked.get(id);
        if (device && device.stagedAt < roundStart && !seen.has(id)) progressed = this.#miss(device) || progressed;
      }
    }
    const requests = api.requests - before;
    return { progressed, units: requests, requests };
  }

  async #refreshByListing(): Promise<{ progressed: boolean; units: number; requests: number }> {
    const { api, capabilities, signal } = this.#deps;
    const before = api.requests;
    const roundStart = this.#deps.now();
    const wanted = this.#tracked.size;
    const seen = new Set<string>();
    let progressed = false;
    let total = 0;
    let pages = 0;
    let firstPage = 0;
    let complete = true;
    for await (const page of api.list({ top: capabilities.pageSize, signal })) {
      pages += 1;
      if (pages === 1) firstPage = page.length;
      else if (pages === 2 && firstPage > 0) capabilities.pageSize = firstPage; // the service's real page size
      total += page.length;
      for (const record of page) {
        if (!this.#tracked.has(record.id)) continue;
        seen.add(record.id);
        progressed = this.#apply(record) || progressed;
      }
      if (seen.size === wanted) {
        complete = false; // every device found: the rest of the collection is not needed
        break;
      }
    }
    // A complete listing measures the others' records; one cut short still gives a lower bound.
    const others = Math.max(0, total - this.#stagedByUs);
    this.#others = complete ? others : Math.max(this.#others ?? 0, others);
    if (complete) {
      for (const device of [...this.#tracked.values()]) {
        if (device.stagedAt < roundStart && !seen.has(device.stagedId)) progressed = this.#miss(device) || progressed;
      }
    }
    const requests = api.requests - before;
    return { progressed, units: requests, requests };
  }

  /** Reports `timeout` for every device whose deadline has passed. */
  #expire(): void {
    const now = this.#deps.now();
    for (const device of this.#tracked.values()) {
      if (device.stagedAt + this.#deps.pollTimeoutMs > now) break; // staging order: the rest are younger
      this.#finish(device, {
        status: "timeout",
        errorCode: "",
        errorName: device.status,
        message: timeoutMessage(device.status, this.#deps.pollTimeoutMs),
        deviceRegistrationId: "",
      });
    }
  }
}
