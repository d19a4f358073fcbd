/**
 * Lists the files an inbox job may take, oldest first (mtime, then name): `.csv` and `.tsv` files only. Hidden files,
 * Office lock files (`~$…`) and names of files still being copied (`.partial`, `.part`, `.filepart`, `.tmp`,
 * `.crdownload`) are left alone and reported as skipped, so an uploader that writes under such a name and renames
 * at the end is never read half-way. Nothing is followed: a symbolic link is listed as one (the job quarantines the
 * link itself, never reading what it points to), and directories, FIFOs and devices are not files.
 */
import { lstat, readdir } from "node:fs/promises";
import path from "node:path";

/** Extensions taken from the inbox (case-insensitive). */
export const INBOX_EXTENSIONS: readonly string[] = [".csv", ".tsv"];

/** Suffixes of files still being written by common uploaders (ours, curl/wget, WinSCP, browsers). */
export const PARTIAL_SUFFIXES: readonly string[] = [".partial", ".part", ".filepart", ".tmp", ".crdownload"];

/**
 * Why a file stays in the inbox this time: hidden or lock file, being written (by name), another extension, not a
 * regular file, modified within the settle time (young), size or mtime changing while sampled (changing), changed
 * after it was sampled (changed), or removed meanwhile (gone).
 */
export type SkipReason = "hidden" | "partial" | "extension" | "notFile" | "young" | "changing" | "changed" | "gone";

export interface InboxFile {
  /** The file's name in the inbox (the report's `file` column). */
  readonly name: string;
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
}

export interface SkippedFile {
  readonly name: string;
  readonly reason: SkipReason;
}

export interface InboxScan {
  /** Candidates, oldest first. */
  readonly files: InboxFile[];
  /** Symbolic links with a candidate's name (never followed: the job moves them to failed/). */
  readonly links: InboxFile[];
  readonly skipped: SkippedFile[];
}

/** Why a name is never taken, or undefined for a candidate. */
export function skipByName(name: string): SkipReason | undefined {
  const lower = name.toLowerCase();
  if (name.startsWith(".") || name.startsWith("~$")) return "hidden";
  if (PARTIAL_SUFFIXES.some((suffix) => lower.endsWith(suffix))) return "partial";
  if (!INBOX_EXTENSIONS.includes(path.extname(lower))) return "extension";
  return undefined;
}

/** Oldest first by mtime, then by name (code point order: the same on every platform). */
export function byAge(a: Pick<InboxFile, "name" | "mtimeMs">, b: Pick<InboxFile, "name" | "mtimeMs">): number {
  if (a.mtimeMs !== b.mtimeMs) return a.mtimeMs - b.mtimeMs;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** Reads the inbox folder once: candidates with their size and mtime (the settle check's first sample), and links. */
export async function scanInbox(dir: string): Promise<InboxScan> {
  const files: InboxFile[] = [];
  const links: InboxFile[] = [];
  const skipped: SkippedFile[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const reason = skipByName(entry.name);
    if (reason !== undefined) {
      skipped.push({ name: entry.name, reason });
      continue;
    }
    const full = path.join(dir, entry.name);
    const info = await lstat(full).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return undefined;
      throw error;
    });
    if (!info) skipped.push({ name: entry.name, reason: "gone" });
    else if (info.isSymbolicLink()) links.push({ name: entry.name, path: full, size: info.size, mtimeMs: info.mtimeMs });
    else if (!info.isFile()) skipped.push({ name: entry.name, reason: "notFile" });
    else files.push({ name: entry.name, path: full, size: info.size, mtimeMs: info.mtimeMs });
  }
  files.sort(byAge);
  links.sort(byAge);
  skipped.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { files, links, skipped };
}
