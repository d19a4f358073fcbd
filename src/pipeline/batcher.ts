/** Groups valid rows into uploads of a fixed size, in input order. */
import type { PendingDevice, Upload } from "./types.js";

export interface BatcherOptions {
  readonly batchSize: number;
  /** Injected so tests get stable ids (crypto.randomUUID in production). */
  readonly newId: () => string;
  readonly now: () => number;
}

/** Why a class: the producer adds one row at a time and must know when an upload is full. */
export class UploadBatcher {
  #pending: PendingDevice[] = [];
  #count = 0;

  constructor(private readonly options: BatcherOptions) {
    if (!Number.isInteger(options.batchSize) || options.batchSize < 1) {
      throw new RangeError(`batchSize must be a positive integer, got ${options.batchSize}`);
    }
  }

  /** How many uploads have been produced so far. */
  get uploads(): number {
    return this.#count;
  }

  /** Adds a device; returns the upload it completes, if any. */
  add(device: PendingDevice): Upload | undefined {
    this.#pending.push(device);
    return this.#pending.length >= this.options.batchSize ? this.#take() : undefined;
  }

  /** The last, partly filled upload (at end of input), if any. */
  flush(): Upload | undefined {
    return this.#pending.length > 0 ? this.#take() : undefined;
  }

  #take(): Upload {
    const devices = this.#pending;
    this.#pending = [];
    this.#count += 1;
    return newUpload(devices, this.options.newId(), this.options.now());
  }
}

/** A fresh upload in state noUpload (not yet submitted). */
export function newUpload(devices: readonly PendingDevice[], id: string, nowMs: number): Upload {
  return {
    id,
    createdDateTimeUtc: new Date(nowMs).toISOString(),
    status: "noUpload",
    devices,
    size: devices.length,
  };
}
