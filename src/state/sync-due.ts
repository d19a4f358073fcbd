/**
 * That an Autopilot sync is owed, kept on disk (`sync-due.json`) from the moment devices were imported without one
 * (refused by the 10-minute rule, or the run stopped first) until a sync succeeds: the next run in the same folder
 * triggers it, even when it imports nothing itself. The inbox job keeps it in its work folder, `import` in the state
 * directory.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { SyncOutcome } from "../pipeline/types.js";
import { STATE_FILE_MODE, syncDirectory } from "./journal-file.js";

export const SYNC_DUE_FILE = "sync-due.json";

export interface SyncDue {
  /** When the first import it is owed for finished. */
  readonly since: string;
  /** What it is owed for (file names, or run keys). */
  readonly files: readonly string[];
}

export function readSyncDue(dir: string): SyncDue | undefined {
  try {
    const value = JSON.parse(readFileSync(path.join(dir, SYNC_DUE_FILE), "utf8")) as Partial<SyncDue>;
    return { since: typeof value.since === "string" ? value.since : new Date(0).toISOString(), files: Array.isArray(value.files) ? value.files.map(String) : [] };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    // Unreadable (a torn write): a sync is owed all the same.
    return { since: new Date(0).toISOString(), files: [] };
  }
}

/** Adds `name` to what a sync is owed for, durably (written aside, fsynced, renamed into place). */
export function noteSyncDue(dir: string, name: string, now: number): void {
  const due = readSyncDue(dir);
  const next: SyncDue = { since: due?.since ?? new Date(now).toISOString(), files: [...(due?.files ?? []).filter((f) => f !== name), name] };
  const file = path.join(dir, SYNC_DUE_FILE);
  writeFileSync(`${file}.tmp`, `${JSON.stringify(next)}\n`, { mode: STATE_FILE_MODE });
  const fd = openSync(`${file}.tmp`, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(`${file}.tmp`, file);
  syncDirectory(dir);
}

export function clearSyncDue(dir: string): void {
  rmSync(path.join(dir, SYNC_DUE_FILE), { force: true });
}

/** Whether a sync outcome pays what is owed. */
export const syncPaid = (sync: SyncOutcome): boolean => sync.status === "triggered" || sync.status === "joined" || sync.status === "running";
