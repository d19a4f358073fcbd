/**
 * The job's one Autopilot sync. Files are imported with the sync off; once every file is done, the sync runs once if
 * devices were imported. That a sync is owed is kept on disk (`sync-due.json` in the work folder) from the moment a
 * file with imported devices finishes until a sync succeeds, so a job that stops (or is refused by the 10-minute
 * rule) before its sync leaves it to the next job, even when the inbox is empty by then.
 */
import path from "node:path";
import { triggerAutopilotSync } from "../after/sync.js";
import { AutopilotImportError } from "../errors.js";
import type { GraphClient } from "../graph/client.js";
import type { SyncOutcome } from "../pipeline/types.js";
import { SYNC_DUE_FILE, noteSyncDue as noteDue } from "../state/sync-due.js";
import { InboxError } from "./inbox-error.js";
import type { InboxJobOptions } from "./types.js";

export { SYNC_DUE_FILE, clearSyncDue, readSyncDue, syncPaid, type SyncDue } from "../state/sync-due.js";

/** Notes (durably, before the file is moved) that `name` imported devices and no sync has run for them yet. */
export function noteSyncDue(work: string, name: string, now: number): void {
  try {
    noteDue(work, name, now);
  } catch (error) {
    throw new InboxError(path.join(work, SYNC_DUE_FILE), "cannot write", { cause: error });
  }
}

/** Triggers the sync once (honouring --no-sync, --sync-wait, --sync-max-wait); sign-in and service failures become an `error` outcome. */
export async function syncOnce(client: GraphClient, options: InboxJobOptions, signal: AbortSignal): Promise<SyncOutcome> {
  const { after } = options;
  if (!after.sync) return { status: "skipped", message: "not requested" };
  options.events?.onStep?.("Triggering the Autopilot sync…");
  options.logger?.info({}, "Triggering the Autopilot sync…");
  try {
    const result = await triggerAutopilotSync(client, {
      wait: after.syncWait,
      maxWaitMs: after.syncMaxWaitMs,
      signal,
      logger: options.logger,
      now: options.now,
      sleep: options.sleep,
    });
    return { status: result.status, message: result.message, ...(result.retryAt ? { retryAt: result.retryAt } : {}) };
  } catch (error) {
    if (signal.aborted || !(error instanceof AutopilotImportError) || error.kind === "interrupted") throw error;
    options.logger?.warn({ err: error }, "Autopilot sync failed");
    return { status: "error", message: `the sync could not be triggered: ${error.message}` };
  }
}

