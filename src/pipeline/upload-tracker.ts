/** Per-upload bookkeeping until all its devices are final, for the upload's own status (complete or error). */
import type { Logger } from "../util/logger.js";
import type { Upload } from "./types.js";

interface UploadProgress {
  readonly upload: Upload;
  remaining: number;
  failed: number;
  readonly keys: Set<string>;
}

export class UploadTracker {
  /** Keyed by every importId an upload's devices carry (with the uploads resource, each submission has its own). */
  readonly #uploads = new Map<string, UploadProgress>();
  readonly #log: Logger | undefined;

  constructor(log: Logger | undefined) {
    this.#log = log;
  }

  /** A device of `upload` is known to the service under `importId`. */
  note(upload: Upload, importId: string): void {
    let entry = this.#uploads.get(upload.id);
    if (!entry) this.#uploads.set(upload.id, (entry = { upload, remaining: upload.size, failed: 0, keys: new Set([upload.id]) }));
    entry.keys.add(importId);
    this.#uploads.set(importId, entry);
  }

  /** One device of the upload known as `importId` is final. */
  settle(importId: string, failed: boolean): void {
    const entry = this.#uploads.get(importId);
    if (!entry) return;
    entry.remaining -= 1;
    if (failed) entry.failed += 1;
    if (entry.remaining > 0) return;
    for (const key of entry.keys) this.#uploads.delete(key);
    entry.upload.status = entry.failed > 0 ? "error" : "complete";
    this.#log?.debug({ uploadId: entry.upload.id, status: entry.upload.status, devices: entry.upload.size, failed: entry.failed }, "upload finished");
  }
}
