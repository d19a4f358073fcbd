/**
 * The job's one Autopilot sync. Files are imported with the sync off; once every file is done, the sync runs once if
 * devices were imported. That a sync is owed is kept on disk (`sync-due.json` in the work folder) from the moment a
 * file with imported devices finishes until a sync succeeds, so a job that stops (or is refused by the 10-minute
 * rule) before its sync leaves it to the next job, even when the inbox is empty by then.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { triggerAutopilotSync } from "../after/sync.js";
import { AutopilotImportError } from "../errors.js";
import type { GraphClient } from "../graph/client.js";
import type { SyncOutcome } from "../pipeline/types.js";
import { syncDirectory } from "../state/journal-file.js";
import { InboxError } from "./inbox-error.js";
import { syncFile } from "./move.js";
import type { InboxJobOptions } from "./types.js";

export const SYNC_DUE_FILE = "sync-due.json";

export interface SyncDue {
  /** When the first file with imported devices finished. */
  readonly since: string;
  /** Those files' names. */
  readonly files: readonly string[];
}

export function readSyncDue(work: string): SyncDue | undefined {
  try {
    const value = JSON.parse(readFileSync(path.join(work, SYNC_DUE_FILE), "utf8")) as Partial<SyncDue>;
    return { since: typeof value.since === "string" ? value.since : new Date(0).toISOString(), files: Array.isArray(value.files) ? value.files.map(String) : [] };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    // Unreadable (a torn write): a sync is owed all the same.
    return { since: new Date(0).toISOString(), files: [] };
  }
}

/** Notes (durably, before the file is moved) that `name` imported devices and no sync has run for them yet. */
export function noteSyncDue(work: string, name: string, now: number): void {
  const due = readSyncDue(work);
  const next: SyncDue = { since: due?.since ?? new Date(now).toISOString(), files: [...(due?.files ?? []), name] };
  const file = path.join(work, SYNC_DUE_FILE);
  try {
    writeFileSync(`${file}.tmp`, `${JSON.stringify(next)}\n`);
    syncFile(`${file}.tmp`);
    renameSync(`${file}.tmp`, file);
    syncDirectory(work);
  } catch (error) {
    throw new InboxError(file, "cannot write", { cause: error });
  }
}

export function clearSyncDue(work: string): void {
  rmSync(path.join(work, SYNC_DUE_FILE), { force: true });
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

/** Whether a sync outcome pays what is owed (the note is removed). */
export const syncPaid = (sync: SyncOutcome): boolean => sync.status === "triggered" || sync.status === "joined" || sync.status === "running";
