/**
 * The one poller of a run: refreshes the devices in flight with as few requests as it can (see poll-strategy.ts),
 * waits longer while nothing changes, and reports each device once it is final or its deadline has passed.
 *
 * Which devices a round refreshes: the service processes uploads roughly in the order they were staged, so until the
 * first device finishes only the oldest upload is looked at (one request). Once devices finish, the poller knows how
 * long processing takes (the shortest time from staging to a final state it has seen) and refreshes each upload when
 * it is due, waking up when the next upload becomes due. A full refresh of everything in flight still happens at
 * least every FULL_REFRESH_MS, so an upload that finishes out of order, or a stuck oldest upload, cannot hide the rest.
 * When refreshing everything costs no more than PROBE_WHEN_ROUND_COSTS_MORE_THAN requests, every round does.
 */
import type { DeviceImportStatus, ImportedDeviceIdentity } from "../graph/resources.js";
import { ServiceError } from "../errors.js";
import { abortError } from "../graph/abort.js";
import { isTerminal, timeoutMessage, verdictFor, type DeviceVerdict } from "./outcomes.js";
import { choosePollStrategy, nextInterval, waitBeforeNextRound, type IntervalPolicy, type PollStrategy } from "./poll-strategy.js";
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

/** Refreshing everything costing more requests than this makes rounds refresh only the uploads that are due. */
const PROBE_WHEN_ROUND_COSTS_MORE_THAN = 2;

/** Longest wait between rounds that refresh only the oldest or due uploads (each costs a request or a few). */
const PARTIAL_ROUND_MAX_MS = 10_000;

/** Longest time between two refreshes of everything in flight. */
const FULL_REFRESH_MS = 120_000;

/** An upload is due once its age reaches this share of the shortest processing time seen. */
const DUE_SHARE = 0.8;

/** Poll rounds in a row that may fail transiently before the run gives up. */
const MAX_FAILED_ROUNDS = 5;

/** Complete answers (listings or 404s) in a row that must miss a record before it is considered deleted. */
const MISSES_BEFORE_GONE = 3;

export interface PollerStats {
  rounds: number;
  /** Rounds that refreshed only the uploads due (the oldest one, before any device finished). */
  partialRounds: number;
  /** Rounds lost to transient failures (retried later). */
  failedRounds: number;
  requests: number;
  byStrategy: Record<PollStrategy, number>;
  /** Shortest staging-to-final time seen (ms), the basis of due times. */
  processingMs: number | null;
}

interface UploadState {
  readonly id: string;
  /** Devices staged in this upload (a filtered listing returns them all). */
  staged: number;
  /** When its first device was staged. */
  readonly firstStagedAt: number;
  /** Staged ids of its devices still in flight. */
  readonly inFlight: Set<string>;
}

interface RoundResult {
  readonly progressed: boolean;
  /** Whether everything in flight was refreshed. */
  readonly full: boolean;
  /** Throttling units spent (a page counts one, a $batch one per item). */
  readonly units: number;
  readonly requests: number;
}

export class Poller {
  readonly #deps: PollerDeps;
  readonly #tracked = new Map<string, TrackedDevice>();
  /** In staging order. */
  readonly #uploads = new Map<string, UploadState>();
  #closed = false;
  #failedRounds = 0;
  #wake: (() => void) | undefined;
  /** Staged records that are not ours, as of the last full listing (undefined before one). */
  #others: number | undefined;
  #stagedByUs = 0;
  /** Shortest staging-to-final time observed by polling. */
  #processingMs: number | undefined;
  #lastFullRefreshAt = Number.NEGATIVE_INFINITY;
  readonly stats: PollerStats = {
    rounds: 0,
    partialRounds: 0,
    failedRounds: 0,
    requests: 0,
    byStrategy: { batch: 0, list: 0, byUpload: 0 },
    processingMs: null,
  };

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
    let upload = this.#uploads.get(device.uploadId);
    if (!upload) {
      upload = { id: device.uploadId, staged: 0, firstStagedAt: device.stagedAt, inFlight: new Set() };
      this.#uploads.set(device.uploadId, upload);
    }
    upload.staged += 1;
    upload.inFlight.add(device.stagedId);
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
      }
      // Re-checks of due uploads follow the backoff; an upload becoming due, or a deadline, wakes the poller earlier.
      const wakeAt = Math.min(nextRoundAt, Math.max(this.#nextNewlyDueAt(), now() + policy.minMs), this.#earliestDeadline());
      const wait = wakeAt - now();
      if (wait > 0) await sleep(wait, signal);
      const { progressed, units, full } = await this.#tolerate(() => this.#round());
      this.#expire();
      base = nextInterval(base, progressed, policy);
      nextRoundAt = now() + waitBeforeNextRound(full ? base : Math.min(base, PARTIAL_ROUND_MAX_MS), units, policy);
    }
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

  #dueAt(upload: UploadState): number {
    return this.#processingMs === undefined ? Number.POSITIVE_INFINITY : upload.firstStagedAt + this.#processingMs * DUE_SHARE;
  }

  /** When the next upload that is not due yet becomes due (infinity when none will, or processing time is unknown). */
  #nextNewlyDueAt(): number {
    const now = this.#deps.now();
    for (const upload of this.#uploads.values()) {
      const at = this.#dueAt(upload);
      if (at > now) return at;
    }
    return Number.POSITIVE_INFINITY;
  }

  /** The uploads to refresh now: everything when that is cheap or overdue, else the due ones (or the oldest). */
  #selectUploads(): { uploads: UploadState[]; full: boolean } {
    const all = [...this.#uploads.values()];
    const now = this.#deps.now();
    const everything = this.#cost(all);
    if (everything <= PROBE_WHEN_ROUND_COSTS_MORE_THAN || now - this.#lastFullRefreshAt >= FULL_REFRESH_MS) return { uploads: all, full: true };
    const due = all.filter((upload) => this.#dueAt(upload) <= now);
    // Before any device finished, or when no upload is due yet, the oldest upload stands for the rest.
    const uploads = due.length > 0 ? due : all.slice(0, 1);
    return uploads.length === all.length ? { uploads, full: true } : { uploads, full: false };
  }

  /** Requests the cheapest strategy needs to refresh these uploads' devices. */
  #cost(uploads: readonly UploadState[]): number {
    return this.#choose(uploads)?.requests ?? 0;
  }

  #choose(uploads: readonly UploadState[]) {
    const { capabilities } = this.#deps;
    return choosePollStrategy({
      inFlight: uploads.reduce((sum, u) => sum + u.inFlight.size, 0),
      perUpload: uploads.map((u) => u.staged),
      // Before a full listing the collection's size is unknown: assume at least one page of others' records.
      staged: this.stagedEstimate ?? this.#stagedByUs + capabilities.pageSize,
      pageSize: capabilities.pageSize,
      importIdFilter: capabilities.importIdFilter !== false,
    });
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
      const transient = error instanceof ServiceError && (error.status === undefined || error.status === 429 || error.status >= 500);
      if (!transient || this.#deps.signal.aborted || ++this.#failedRounds > MAX_FAILED_ROUNDS) throw error;
      this.stats.failedRounds += 1;
      this.#deps.log?.({ err: error, failedRounds: this.#failedRounds }, "poll round failed; trying again later");
      return { progressed: false, full: true, units: 0, requests: 0 };
    }
  }

  async #round(): Promise<RoundResult> {
    const first = await this.#refresh(this.#selectUploads());
    if (first.full || !first.progressed) return first;
    // Devices just finished (perhaps the first ones, which sets the processing time): refresh the uploads now due too.
    const refreshed = new Set(first.uploadIds);
    const due = [...this.#uploads.values()].filter((u) => !refreshed.has(u.id) && this.#dueAt(u) <= this.#deps.now());
    if (due.length === 0) return first;
    const second = await this.#refresh({ uploads: due, full: false });
    return { progressed: true, full: false, units: first.units + second.units, requests: first.requests + second.requests };
  }

  async #refresh({ uploads, full }: { uploads: UploadState[]; full: boolean }): Promise<RoundResult & { uploadIds: string[] }> {
    const uploadIds = uploads.map((u) => u.id);
    const choice = this.#choose(uploads);
    if (!choice) return { progressed: false, full, units: 0, requests: 0, uploadIds };
    this.stats.rounds += 1;
    if (full) this.#lastFullRefreshAt = this.#deps.now();
    else this.stats.partialRounds += 1;
    this.stats.byStrategy[choice.strategy] += 1;
    const ids = uploads.flatMap((u) => [...u.inFlight]);
    let result: Omit<RoundResult, "full">;
    switch (choice.strategy) {
      case "batch":
        result = await this.#refreshByGet(ids);
        break;
      case "byUpload":
        result = await this.#refreshByUpload(uploads);
        break;
      case "list":
        result = await this.#refreshByListing(new Set(ids));
        break;
    }
    this.stats.requests += result.requests;
    this.#deps.log?.(
      { strategy: choice.strategy, full, uploads: uploads.length, devices: ids.length, inFlight: this.#tracked.size, requests: result.requests, progressed: result.progressed },
      "poll round",
    );
    return { ...result, full, uploadIds };
  }

  /** Applies a fresh record; true when something changed. */
  #apply(record: ImportedDeviceIdentity): boolean {
    const device = this.#tracked.get(record.id);
    if (!device) return false;
    device.misses = 0;
    const status: DeviceImportStatus = record.state.deviceImportStatus;
    if (isTerminal(status)) {
      const took = this.#deps.now() - device.stagedAt;
      if (this.#processingMs === undefined || took < this.#processingMs) this.#processingMs = this.stats.processingMs = took;
      this.#finish(device, verdictFor(record));
      return true;
    }
    if (status === device.status) return false;
    device.status = status;
    return true;
  }

  #finish(device: TrackedDevice, outcome: PollOutcome): void {
    this.#tracked.delete(device.stagedId);
    const upload = this.#uploads.get(device.uploadId);
    if (upload) {
      upload.inFlight.delete(device.stagedId);
      if (upload.inFlight.size === 0) this.#uploads.delete(device.uploadId);
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

  async #refreshByGet(ids: readonly string[]): Promise<Omit<RoundResult, "full">> {
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

  async #refreshByUpload(uploads: readonly UploadState[]): Promise<Omit<RoundResult, "full">> {
    const { api, capabilities, signal } = this.#deps;
    const before = api.requests;
    const roundStart = this.#deps.now();
    let progressed = false;
    for (const upload of uploads) {
      const seen = new Set<string>();
      try {
        for await (const page of api.list({ filter: `importId eq ${odataString(upload.id)}`, top: capabilities.pageSize, signal })) {
          for (const record of page) {
            seen.add(record.id);
            progressed = this.#apply(record) || progressed;
          }
        }
      } catch (error) {
        if (!isBadRequest(error)) throw error;
        capabilities.importIdFilter = false;
        this.#deps.log?.({}, "service rejects $filter on importId; polling by listing instead");
        const listed = await this.#refreshByListing(new Set(uploads.flatMap((u) => [...u.inFlight])));
        return { ...listed, progressed: listed.progressed || progressed, requests: api.requests - before };
      }
      capabilities.importIdFilter = true;
      for (const id of [...upload.inFlight]) {
        const device = this.#tracked.get(id);
        if (device && device.stagedAt < roundStart && !seen.has(id)) progressed = this.#miss(device) || progressed;
      }
    }
    const requests = api.requests - before;
    return { progressed, units: requests, requests };
  }

  /** Pages through the staged collection until every wanted record was seen (applying any tracked one met on the way). */
  async #refreshByListing(wanted: ReadonlySet<string>): Promise<Omit<RoundResult, "full">> {
    const { api, capabilities, signal } = this.#deps;
    const before = api.requests;
    const roundStart = this.#deps.now();
    const seen = new Set<string>();
    let found = 0;
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
        if (wanted.has(record.id)) found += 1;
        progressed = this.#apply(record) || progressed;
      }
      if (found === wanted.size) {
        complete = false; // every wanted device found: the rest of the collection is not needed
        break;
      }
    }
    // A complete listing measures the others' records; one cut short still gives a lower bound.
    const others = Math.max(0, total - this.#stagedByUs);
    this.#others = complete ? others : Math.max(this.#others ?? 0, others);
    if (complete) {
      for (const id of wanted) {
        const device = this.#tracked.get(id);
        if (device && device.stagedAt < roundStart && !seen.has(id)) progressed = this.#miss(device) || progressed;
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
