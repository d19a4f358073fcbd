/**
 * A run's journal, opened the one way every command does it: the inputs' fingerprint (their content's SHA-256), the
 * tenant and Graph endpoint make the run key; the key names the journal in the state directory, which is resumed
 * when an earlier process left it (src/state).
 */
import { openDeviceReader } from "../csv/reader.js";
import type { JournaledDevice } from "../pipeline/journal-port.js";
import { abortError } from "../util/abort.js";
import { fingerprintFiles, normalizeTenant, runKey } from "../state/fingerprint.js";
import { openJournal, type FileJournal } from "../state/journal.js";
import { stateDirError } from "../state/environment-error.js";
import { archiveJournal, ensureStateDir, journalFile, stateLayout } from "../state/state-dir.js";
import { VERSION } from "../version.js";
import type { RunTarget } from "./target.js";

export interface RunJournalOptions {
  /** Absolute path of the state directory (made when missing; the caller holds its lock). */
  readonly stateDir: string;
  /** The input files, as named on the command line (or in the inbox). */
  readonly files: readonly string[];
  /** What relative `files` are resolved against. */
  readonly cwd: string;
  readonly target: RunTarget;
  /** Start these inputs over: archive the run's journal first (--fresh). */
  readonly fresh?: boolean;
  readonly signal: AbortSignal;
  readonly now: () => number;
}

export interface RunJournal {
  readonly journal: FileJournal;
  readonly key: string;
  /** The journal's path. */
  readonly file: string;
  /** An earlier process worked on this run. */
  readonly resumed: boolean;
  /**
   * Torn or damaged journal lines skipped while reading it back, and (damage before the end) the input rows the intact
   * records do not account for: planned for reconciliation by serial number before anything is sent.
   */
  readonly damage: { readonly tornBytes: number; readonly damaged: number; readonly recovering: number };
  /** Where --fresh moved the earlier journal, if there was one. */
  readonly archived: string | undefined;
}

export async function openRunJournal(options: RunJournalOptions): Promise<RunJournal> {
  const { signal, now, target } = options;
  const files = await fingerprintFiles(options.files, options.cwd, signal).catch((error: unknown) => {
    throw signal.aborted ? abortError(signal) : error; // a signal during the pass is the interruption it is
  });
  const tenant = normalizeTenant(target.tenant);
  const key = runKey(files, tenant, target.endpoint);
  const layout = stateLayout(options.stateDir);
  const file = journalFile(layout, key);
  let opened: Awaited<ReturnType<typeof openJournal>>;
  let archived: string | undefined;
  try {
    ensureStateDir(layout);
    archived = options.fresh ? archiveJournal(layout, key, now()) : undefined;
    opened = await openJournal({ file, run: { run: key, files, tenant, endpoint: target.endpoint, tool: VERSION }, now });
  } catch (error) {
    throw stateDirError(layout.dir, error);
  }
  const { journal, scan } = opened;
  let recovering = 0;
  try {
    if ((scan?.damaged ?? 0) > 0) recovering = await planRecovery(journal, options);
  } catch (error) {
    journal.close();
    throw signal.aborted ? abortError(signal) : error;
  }
  return { journal, key, file, resumed: journal.resumed, damage: { tornBytes: scan?.tornBytes ?? 0, damaged: scan?.damaged ?? 0, recovering }, archived };
}

/**
 * A journal damaged before its end can no longer prove what was sent: every valid input row it does not account for
 * is planned into recovery uploads (a few hundred rows each), which are looked up in Graph by serial number before
 * anything is sent (src/pipeline/resume.ts), so that nothing is sent twice.
 */
async function planRecovery(journal: FileJournal, options: RunJournalOptions): Promise<number> {
  const pinned = new Map(journal.inputs.map((f) => [f.path, { size: f.size, sha256: f.sha256 }]));
  const reader = openDeviceReader(options.files, { cwd: options.cwd, signal: options.signal, pinned });
  let planned = 0;
  let chunk: JournaledDevice[] = [];
  for await (const row of reader.rows()) {
    if (row.status === "valid") chunk.push({ location: row.location, serialNumber: row.device.serialNumber });
    if (chunk.length < RECOVERY_CHUNK) continue;
    planned += journal.planRecovery(chunk);
    chunk = [];
  }
  return planned + journal.planRecovery(chunk);
}

const RECOVERY_CHUNK = 500;

/** Archives a finished run's journal, so the same inputs given again are imported again (not answered from it). */
export function archiveRunJournal(stateDir: string, key: string, now: number): string | undefined {
  return archiveJournal(stateLayout(stateDir), key, now);
}
