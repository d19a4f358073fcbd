/**
 * Which uploads a poll round looks at, and when. When refreshing everything is cheap the poller refreshes it all on one
 * shared interval (poller.ts); otherwise rounds refresh only the uploads whose time has come. The service processes
 * uploads roughly in staging order, so until the first device finishes only the oldest upload is looked at (one
 * request, backing off up to a cap that shrinks as more devices wait: PROBE_MS_PER_DEVICE_IN_FLIGHT). Once the
 * processing time is known, each upload is first looked at when that time has passed since it was staged, then on its
 * own backoff, reset whenever it progresses. Everything in flight is still refreshed at least every FULL_REFRESH_MS, so
 * an upload that finishes out of order, or a stuck oldest upload, cannot hide the rest.
 */
import { nextBackoff } from "../util/backoff.js";
import type { IntervalPolicy } from "./poll-strategy.js";
import type { TrackedDevice } from "./types.js";

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

export interface UploadState {
  readonly id: string;
  /** Devices staged in this upload (a filtered listing returns them all). */
  staged: number;
  /** When its first device was staged. */
  readonly firstStagedAt: number;
  /** How many of its devices are still in flight (their ids are in the poller's TrackedDevices). */
  inFlight: number;
  /** When it should next be looked at (infinity: not scheduled yet). */
  nextCheckAt: number;
  /** Its current backoff interval. */
  interval: number;
  /** When it was last refreshed (for the lower bound on processing time). */
  lastCheckedAt: number;
}

/** The backoff cap of a look before any device finished: shorter the more devices wait for the first result. */
export function probeCapMs(inFlight: number, policy: IntervalPolicy): number {
  return Math.min(policy.maxMs, Math.max(policy.minMs, PROBE_MS_PER_DEVICE_IN_FLIGHT / Math.max(1, inFlight)));
}

export interface PollScheduleOptions {
  readonly policy: IntervalPolicy;
  readonly now: () => number;
  /** The processing time learned so far (undefined until a device finished). */
  readonly processingMs: () => number | undefined;
}

export class PollSchedule {
  readonly #options: PollScheduleOptions;
  /** In staging order. */
  readonly #uploads = new Map<string, UploadState>();
  /** Uploads with a device that changed in the current round. */
  readonly #progressed = new Set<string>();
  #lastFullRefreshAt = Number.NEGATIVE_INFINITY;

  constructor(options: PollScheduleOptions) {
    this.#options = options;
  }

  /** The uploads with devices in flight, in staging order. */
  get uploads(): UploadState[] {
    return [...this.#uploads.values()];
  }

  /** Counts a staged device in its upload; a new upload gets its first look scheduled. */
  add(device: Pick<TrackedDevice, "uploadId" | "stagedAt">): void {
    let upload = this.#uploads.get(device.uploadId);
    if (!upload) {
      upload = {
        id: device.uploadId,
        staged: 0,
        firstStagedAt: device.stagedAt,
        inFlight: 0,
        nextCheckAt: Number.POSITIVE_INFINITY,
        interval: this.#options.policy.minMs,
        lastCheckedAt: Number.NEGATIVE_INFINITY,
      };
      this.#uploads.set(device.uploadId, upload);
      this.#schedule();
    }
    upload.staged += 1;
    upload.inFlight += 1;
  }

  /** A device is final: its upload is no longer looked at once nothing of it is in flight. */
  remove(uploadId: string): void {
    const upload = this.#uploads.get(uploadId);
    if (!upload) return;
    upload.inFlight -= 1;
    if (upload.inFlight <= 0) {
      this.#uploads.delete(uploadId);
      this.#schedule(); // the next oldest upload may take over the looking
    }
  }

  /** When this upload was last refreshed (minus infinity: never, or no longer followed). */
  lastCheckedAt(uploadId: string): number {
    return this.#uploads.get(uploadId)?.lastCheckedAt ?? Number.NEGATIVE_INFINITY;
  }

  /**
   * When the next round is planned: the uploads' own times (first look when due, then their backoff) and, when rounds
   * are selective, the next full refresh; otherwise the shared interval's `sharedAt`.
   */
  plannedAt(selective: boolean, sharedAt: number): number {
    return Math.min(this.#nextCheckAt(), selective ? this.#lastFullRefreshAt + FULL_REFRESH_MS : sharedAt);
  }

  /** Starts a round: whether it refreshes everything (always when not selective), and the uploads it looks at. */
  startRound(selective: boolean): { readonly full: boolean; readonly due: UploadState[] } {
    const now = this.#options.now();
    const all = this.uploads;
    const full = !selective || now - this.#lastFullRefreshAt >= FULL_REFRESH_MS;
    this.#progressed.clear();
    return { full, due: full ? all : all.filter((u) => u.nextCheckAt <= now + COALESCE_MS) };
  }

  /** Everything in flight was refreshed at `at`. */
  refreshedAll(at: number): void {
    this.#lastFullRefreshAt = at;
  }

  /** A device of this upload changed in the current round. */
  progressed(uploadId: string): void {
    this.#progressed.add(uploadId);
  }

  /** After a round: an upload that progressed is looked at again soon, one that was due and did not a bit later. */
  endRound(due: readonly UploadState[], inFlight: number): void {
    const { now, policy, processingMs } = this.#options;
    const at = now();
    const cap = processingMs() === undefined ? probeCapMs(inFlight, policy) : policy.maxMs;
    for (const upload of due) {
      upload.lastCheckedAt = at;
      if (this.#progressed.has(upload.id)) {
        upload.interval = policy.minMs;
        upload.nextCheckAt = at + upload.interval;
      } else if (upload.nextCheckAt <= at + COALESCE_MS) {
        // It was due and did not move: look again later, a little later each time.
        upload.interval = nextBackoff(upload.interval, { ...policy, maxMs: cap });
        upload.nextCheckAt = at + upload.interval;
      }
    }
    this.#schedule();
  }

  /** Gives unscheduled uploads their first look: the oldest at once while processing time is unknown, else when due. */
  #schedule(): void {
    const { now, policy } = this.#options;
    const processingMs = this.#options.processingMs();
    if (processingMs === undefined) {
      const oldest = this.#uploads.values().next();
      if (!oldest.done && oldest.value.nextCheckAt === Number.POSITIVE_INFINITY) oldest.value.nextCheckAt = now() + policy.minMs;
      return;
    }
    for (const upload of this.#uploads.values()) {
      if (upload.nextCheckAt === Number.POSITIVE_INFINITY) {
        upload.nextCheckAt = Math.max(now(), upload.firstStagedAt + processingMs);
        upload.interval = policy.minMs;
      }
    }
  }

  #nextCheckAt(): number {
    let at = Number.POSITIVE_INFINITY;
    for (const upload of this.#uploads.values()) at = Math.min(at, upload.nextCheckAt);
    return at;
  }
}
