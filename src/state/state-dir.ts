/**
 * The state directory (default `.autopilot-import/` in the working directory): `lock` while a process works in it,
 * `runs/<key>.jsonl` per run (key: see fingerprint.ts), and `runs/<key>.archived-<time>.jsonl` for runs started
 * over with --fresh (kept: the staged records they created are still theirs to clean up).
 */
import { mkdirSync, readdirSync, renameSync } from "node:fs";
import path from "node:path";
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

export function ensureStateDir(layout: StateLayout): void {
  mkdirSync(layout.runs, { recursive: true });
}

export function journalFile(layout: StateLayout, key: string): string {
  return path.join(layout.runs, `${key}.jsonl`);
}

/** `20250102T030405Z`: sortable, no characters Windows rejects. */
function stamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
}

/** Moves a run's journal aside (for --fresh); returns where it went, or undefined when there was none. */
export function archiveJournal(layout: StateLayout, key: string, now: number): string | undefined {
  const from = journalFile(layout, key);
  const to = path.join(layout.runs, `${key}.archived-${stamp(now)}.jsonl`);
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
