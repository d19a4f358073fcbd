/**
 * The state directory (default `.autopilot-import/` in the working directory): `lock` while a process works in it,
 * `runs/<key>.jsonl` per run (key: see fingerprint.ts), and `runs/<key>.archived-<time>.jsonl` for runs started
 * over with --fresh (kept: the staged records they created are still theirs to clean up).
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, renameSync, statSync } from "node:fs";
import path from "node:path";
import { StateError } from "../errors.js";
import { timeStamp } from "../util/time-stamp.js";
import { syncDirectory } from "./journal-file.js";

export const DEFAULT_STATE_DIR = ".autopilot-import";

export interface StateLayout {
  readonly dir: string;
  readonly lock: string;
  readonly runs: string;
}

export function stateLayout(dir: string): StateLayout {
  return { dir, lock: path.join(dir, "lock"), runs: path.join(dir, "runs") };
}

/** A state directory path that names a file (or has a file where `runs/` goes) is the user's mistake: one line, exit 2. */
export function assertStateDir(layout: StateLayout): void {
  for (const dir of [layout.dir, layout.runs]) {
    let isFile: boolean;
    try {
      isFile = !statSync(dir).isDirectory();
    } catch {
      continue; // missing (created when needed) or unreadable (told by the operation that needs it)
    }
    if (isFile) throw new StateError(`the state directory ${layout.dir} cannot be used: ${dir} is a file, not a folder (give --state-dir a folder; it is created if missing)`);
  }
}

/** State directories are their owner's only (0700): made so, and `runs/` (always ours) set so. */
export const STATE_DIR_MODE = 0o700;

export function ensureStateDir(layout: StateLayout): void {
  assertStateDir(layout);
  const first = mkdirSync(layout.runs, { recursive: true, mode: STATE_DIR_MODE });
  if (process.platform === "win32") return;
  // A directory we just made is ours to restrict whatever the umask; one the user made (and its parents) is left alone.
  if (first !== undefined && !path.relative(first, layout.dir).startsWith("..")) chmodSync(layout.dir, STATE_DIR_MODE);
  if (first !== undefined || (statSync(layout.runs).mode & 0o077) !== 0) chmodSync(layout.runs, STATE_DIR_MODE);
}

export function journalFile(layout: StateLayout, key: string): string {
  return path.join(layout.runs, `${key}.jsonl`);
}

/**
 * Moves a run's journal aside (--fresh, a moved inbox file); returns where it went, or undefined when there was none.
 * Archive names carry the time to the second: one of the same run in the same second takes the next free second.
 */
const archivedFile = (layout: StateLayout, key: string, at: number): string => path.join(layout.runs, `${key}.archived-${timeStamp(at)}.jsonl`);

export function archiveJournal(layout: StateLayout, key: string, now: number): string | undefined {
  const from = journalFile(layout, key);
  let at = now;
  while (existsSync(archivedFile(layout, key, at))) at += 1_000;
  const to = archivedFile(layout, key, at);
  try {
    renameSync(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  syncDirectory(layout.runs);
  return to;
}

export interface JournalEntry {
  readonly key: string;
  readonly file: string;
  readonly archived: boolean;
}

/** The journals in the state directory (none when it does not exist). */
export function listJournals(layout: StateLayout): JournalEntry[] {
  assertStateDir(layout);
  let names: string[];
  try {
    names = readdirSync(layout.runs);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const entries: JournalEntry[] = [];
  for (const name of names.sort()) {
    const match = /^([0-9a-f]{16})(\.archived-[0-9TZ]+)?\.jsonl$/.exec(name);
    if (match) entries.push({ key: match[1]!, file: path.join(layout.runs, name), archived: match[2] !== undefined });
  }
  return entries;
}
