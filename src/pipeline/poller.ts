/**
 * The one poller of a run: refreshes the devices in flight with as few requests as it can (see poll-strategy.ts),
 * waits longer while nothing changes, and reports each device once it is final or its deadline has passed.
 *
 * When refreshing everything costs at most PROBE_WHEN_ROUND_COSTS_MORE_THAN requests, every round does, on one
 * interval that starts short, backs off while nothing changes and resets on progress. Otherwise rounds refresh only
 * the uploads whose time has come. The service processes uploads roughly in staging order, so until the first device
 * finishes only the oldest upload is looked at (one request, backing off up to a cap that shrinks as more devices wait:
 * PROBE_MS_PER_DEVICE_IN_FLIGHT). Finished devices
 * give the processing time (between the last look that still saw them in progress and the look that saw them final);
 * from then on each upload is first looked at when that time has passed since it was staged, then on its own backoff,
 * reset whenever it progresses. Everything in flight is still refreshed at least every FULL_REFRESH_MS, so an upload that
 * finishes out of order, or a stuck oldest upload, cannot hide the rest.
 */
import type { DeviceImportStatus, ImportedDeviceIdentity } from "../graph/resources.js";
import { ServiceError } from "../errors.js";
import { abortError } from "../graph/abort.js";
import { isTerminal, timeoutMessage, verdictFor, type DeviceVerdict } from "./outcomes.js";
import { choosePollStrategy, nextInterval, waitBeforeNextRound, type IntervalPolicy, type PollStrategy } from "./poll-strategy.js";
import { isBadRequest } from "./reconcile.js";
import { importIdUsable, odataString, type ServiceCapabilities, type StagedApi } from "./staged-api.js";
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

/**
 * While no device has finished, the oldest upload is looked at (one request) at most every this many ms per device in
 * flight, within [minMs, maxMs]: 60 s for 1,000 devices, 6 s for 10,000, 2 s from 30,000. About one request per
 * 1,000 devices per minute of processing, and the first finished devices are seen soon when many wait on them.
 */
const PROBE_MS_PER_DEVICE_IN_FLIGHT = 60_000_000;

/** Longest time between two refreshes of everything in flight. */
const FULL_REFRESH_MS = 120_000;

/** Uploads whose looks fall due within this much of each other share a round. */
const COALESCE_MS = 250;

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
  /** When it should next be looked at (infinity: not scheduled yet). */
  nextCheckAt: number;
  /** Its current backoff interval. */
  interval: number;
  /** When it was last refreshed (for the lower bound on processing time). */
  lastCheckedAt: number;
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
  /** Processing time: the middle of the narrowest bracket [last look in progress, first look final] seen. */
  #processingMs: number | undefined;
  #bracketWidth = Number.POSITIVE_INFINITY;
  #lastFullRefreshAt = Number.NEGATIVE_INFINITY;
  /** Uploads with a device that changed in the current round. */
  readonly #progressedUploads = new Set<string>();
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
      upload = {
        id: device.uploadId,
        staged: 0,
        firstStagedAt: device.stagedAt,
        inFlight: new Set(),
        nextCheckAt: Number.POSITIVE_INFINITY,
        interval: this.#deps.policy.minMs,
        lastCheckedAt: Number.NEGATIVE_INFINITY,
      };
      this.#uploads.set(device.uploadId, upload);
      this.#schedule();
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
    /** Earliest next round, so polling uses a bounded share of the request budget. */
    let notBefore = Number.NEGATIVE_INFINITY;
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
      // Uploads' own times (first look when due, then their backoff) drive the rounds; when refreshing everything is
      // cheap, one shared backoff does too, and when it is not, a full refresh still comes every FULL_REFRESH_MS.
      const planned = this.#selective()
        ? Math.min(this.#nextCheckAt(), this.#lastFullRefreshAt + FULL_REFRESH_MS)
        : Math.min(this.#nextCheckAt(), nextRoundAt);
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
    return this.#cost([...this.#uploads.values()]) > PROBE_WHEN_ROUND_COSTS_MORE_THAN;
  }

  /** Gives unscheduled uploads their first look: the oldest at once while processing time is unknown, else when due. */
  #schedule(): void {
    const { now, policy } = this.#deps;
    if (this.#processingMs === undefined) {
      const oldest = this.#uploads.values().next();
      if (!oldest.done && oldest.value.nextCheckAt === Number.POSITIVE_INFINITY) oldest.value.nextCheckAt = now() + policy.minMs;
      return;
    }
    for (const upload of this.#uploads.values()) {
      if (upload.nextCheckAt === Number.POSITIVE_INFINITY) {
        upload.nextCheckAt = Math.max(now(), upload.firstStagedAt + this.#processingMs);
        upload.interval = policy.minMs;
      }
    }
  }

  #probeCap(): number {
    const { minMs, maxMs } = this.#deps.policy;
    return Math.min(maxMs, Math.max(minMs, PROBE_MS_PER_DEVICE_IN_FLIGHT / Math.max(1, this.#tracked.size)));
  }

  #nextCheckAt(): number {
    let at = Number.POSITIVE_INFINITY;
    for (const upload of this.#uploads.values()) at = Math.min(at, upload.nextCheckAt);
    return at;
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
      importIdFilter: importIdUsable(capabilities),
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

  async #round(selective: boolean): Promise<RoundResult> {
    const { now, policy } = this.#deps;
    const all = [...this.#uploads.values()];
    const full = !selective || now() - this.#lastFullRefreshAt >= FULL_REFRESH_MS;
    const due = full ? all : all.filter((u) => u.nextCheckAt <= now() + COALESCE_MS);
    if (due.length === 0) return { progressed: false, full, units: 0, requests: 0 };
    this.#progressedUploads.clear();
    const result = await this.#refresh({ uploads: due, full });
    const at = now();
    const cap = this.#processingMs === undefined ? this.#probeCap() : policy.maxMs;
    for (const upload of due) {
      upload.lastCheckedAt = at;
      if (this.#progressedUploads.has(upload.id)) {
        upload.interval = policy.minMs;
        upload.nextCheckAt = at + upload.interval;
      } else if (upload.nextCheckAt <= at + COALESCE_MS) {
        // It was due and did not move: look again later, a little later each time.
        upload.interval = Math.min(cap, Math.max(policy.minMs, upload.interval * policy.factor));
        upload.nextCheckAt = at + upload.interval;
      }
    }
    this.#schedule();
    return result;
  }

  async #refresh({ uploads, full }: { uploads: UploadState[]; full: boolean }): Promise<RoundResult> {
    const choice = this.#choose(uploads);
    if (!choice) return { progressed: false, full, units: 0, requests: 0 };
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
    return { ...result, full };
  }

  /** Applies a fresh record; true when something changed. */
  #apply(record: ImportedDeviceIdentity): boolean {
    const device = this.#tracked.get(record.id);
    if (!device) return false;
    device.misses = 0;
    const status: DeviceImportStatus = record.state.deviceImportStatus;
    if (isTerminal(status)) {
      this.#learnProcessingTime(device);
      this.#progressedUploads.add(device.uploadId);
      this.#finish(device, verdictFor(record));
      return true;
    }
    if (status === device.status) return false;
    device.status = status;
    this.#progressedUploads.add(device.uploadId);
    return true;
  }

  /**
   * Processing took longer than the last look that still saw the device in progress, and no longer than now. The
   * narrowest such bracket seen (usually from looks a few seconds apart) gives the estimate: its middle.
   */
  #learnProcessingTime(device: TrackedDevice): void {
    const lastLook = this.#uploads.get(device.uploadId)?.lastCheckedAt ?? Number.NEGATIVE_INFINITY;
    const upper = this.#deps.now() - device.stagedAt;
    const lower = lastLook > device.stagedAt ? lastLook - device.stagedAt : 0;
    const width = upper - lower;
    if (width < this.#bracketWidth) {
      this.#bracketWidth = width;
      this.#processingMs = this.stats.processingMs = (lower + upper) / 2;
    }
  }

  #finish(device: TrackedDevice, outcome: PollOutcome): void {
    this.#tracked.delete(device.stagedId);
    const upload = this.#uploads.get(device.uploadId);
    if (upload) {
      upload.inFlight.delete(device.stagedId);
      if (upload.inFlight.size === 0) {
        this.#uploads.delete(device.uploadId);
        this.#schedule(); // the next oldest upload may take over the looking
      }
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
