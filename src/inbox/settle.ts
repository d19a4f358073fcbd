/**
 * Is a file still being written? Its mtime must be at least the settle time old, and its size and mtime must not
 * change between two samples taken the settle time apart (one wait for all files). A writer that keeps the source's
 * old mtime (a copy that preserves timestamps) is still caught by its growing size.
 */
import { lstat } from "node:fs/promises";
import type { Sleep } from "../util/abort.js";
import type { InboxFile, SkippedFile, SkipReason } from "./scan.js";

/** Default settle time (--settle). */
export const DEFAULT_SETTLE_MS = 5_000;

export interface Sample {
  readonly size: number;
  readonly mtimeMs: number;
}

/** The verdict on one file from its samples: `undefined` (it may be taken) or why it stays. */
export function settleVerdict(first: Sample, firstAt: number, second: Sample | undefined, settleMs: number): SkipReason | undefined {
  if (settleMs <= 0) return undefined;
  if (firstAt - first.mtimeMs < settleMs) return "young";
  if (second === undefined) return "gone";
  return second.size !== first.size || second.mtimeMs !== first.mtimeMs ? "changing" : undefined;
}

/** A fresh size and mtime, or undefined when the file is gone. */
export async function sampleFile(file: string): Promise<Sample | undefined> {
  try {
    const info = await lstat(file); // a name swapped for a link shows as changed, and nothing is followed
    return { size: info.size, mtimeMs: info.mtimeMs };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

export interface SettleOptions {
  readonly settleMs: number;
  /** When the files were sampled (the scan). */
  readonly sampledAt: number;
  readonly sleep: Sleep;
  readonly signal: AbortSignal;
}

/** Splits scanned files into those settled (still oldest first) and those left for the next run. */
export async function settleFiles(files: readonly InboxFile[], options: SettleOptions): Promise<{ ready: InboxFile[]; skipped: SkippedFile[] }> {
  const { settleMs, sampledAt } = options;
  const skipped: SkippedFile[] = [];
  const old: InboxFile[] = [];
  for (const file of files) {
    if (settleVerdict(file, sampledAt, file, settleMs) === "young") skipped.push({ name: file.name, reason: "young" });
    else old.push(file);
  }
  if (settleMs <= 0 || old.length === 0) return { ready: old, skipped };
  await options.sleep(settleMs, options.signal);
  const ready: InboxFile[] = [];
  for (const file of old) {
    const reason = settleVerdict(file, sampledAt, await sampleFile(file.path), settleMs);
    if (reason === undefined) ready.push(file);
    else skipped.push({ name: file.name, reason });
  }
  return { ready, skipped };
}

/** Right before a file is taken: unchanged since it settled (a long job may reach it much later). */
export async function stillSettled(file: InboxFile): Promise<SkipReason | undefined> {
  const now = await sampleFile(file.path);
  if (now === undefined) return "gone";
  return now.size !== file.size || now.mtimeMs !== file.mtimeMs ? "changed" : undefined;
}
