/**
 * Each inbox file is a run of its own (src/state): keyed by its content's SHA-256, the tenant and the Graph endpoint,
 * journaled in the state directory. A job killed part-way resumes the file from its journal; a file whose run is
 * finished but which was never moved is reported from its journal and moved, with nothing sent again.
 */
import { fingerprintFiles, normalizeTenant, runKey } from "../state/fingerprint.js";
import { openJournal, type FileJournal } from "../state/journal.js";
import { archiveJournal, journalFile, stateLayout } from "../state/state-dir.js";
import { existsSync } from "node:fs";
import path from "node:path";
import { VERSION } from "../version.js";
import { timeStamp } from "./names.js";
import type { InboxFile } from "./scan.js";

export interface RunTarget {
  /** The tenant as configured (undefined: the credential's own). */
  readonly tenant: string | undefined;
  /** The Graph root requests go to. */
  readonly endpoint: string;
}

export interface OpenedFileJournal {
  readonly journal: FileJournal;
  readonly key: string;
  readonly file: string;
  /** An earlier job worked on this file. */
  readonly resumed: boolean;
  /** Torn or damaged journal lines skipped, for the log. */
  readonly damage: { readonly tornBytes: number; readonly damaged: number };
}

/** Fingerprints the file (as named in the inbox) and opens or resumes its run's journal. */
export async function openFileJournal(file: InboxFile, inboxDir: string, stateDir: string, target: RunTarget, signal: AbortSignal, now: () => number): Promise<OpenedFileJournal> {
  const files = await fingerprintFiles([file.name], inboxDir, signal);
  const tenant = normalizeTenant(target.tenant);
  const key = runKey(files, tenant, target.endpoint);
  const journalPath = journalFile(stateLayout(stateDir), key);
  const { journal, scan } = await openJournal({ file: journalPath, run: { run: key, files, tenant, endpoint: target.endpoint, tool: VERSION }, now });
  return { journal, key, file: journalPath, resumed: journal.resumed, damage: { tornBytes: scan?.tornBytes ?? 0, damaged: scan?.damaged ?? 0 } };
}

/**
 * Archives a moved file's journal, so the same content dropped into the inbox again is imported again (not answered
 * from this run). Archive names carry the time to the second: an archive of the same run in the same second waits
 * for a free name by stamping a later second.
 */
export function archiveFileJournal(stateDir: string, key: string, now: number): string | undefined {
  const layout = stateLayout(stateDir);
  let at = now;
  while (existsSync(path.join(layout.runs, `${key}.archived-${timeStamp(at)}.jsonl`))) at += 1_000;
  return archiveJournal(layout, key, at);
}
