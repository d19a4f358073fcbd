/** Defaults of the import pipeline, with the evidence for each in bench/RESULTS.md ("Import"). */

/** Devices per upload. The admin center takes at most 500 rows per CSV, and so does the emulator's default import. */
export const DEFAULT_BATCH_SIZE = 500;
/** Most devices per upload we accept: the largest import Microsoft documents (the admin center's 500 rows). */
export const MAX_UPLOAD_SIZE = 500;
/** Uploads in flight at once (the adaptive limiter shrinks it on 429s). */
export const DEFAULT_CONCURRENCY = 4;
export const MAX_CONCURRENCY = 32;
/** How long a device may stay in progress after it was staged before it is reported `timeout`. */
export const DEFAULT_POLL_TIMEOUT_MS = 30 * 60_000;
