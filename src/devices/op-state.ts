/**
 * An `update` or `deregister` run's hold on the state directory: the directory's lock (one process at a time, as
 * for imports), the inputs fingerprinted (the reader then reads exactly those bytes), and the run's journal in
 * `<state-dir>/ops/<command>-<key>.jsonl`, created or resumed. What the user should be told comes back as notes.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, renameSync } from "node:fs";
import path from "node:path";
import type { PinnedInput } from "../csv/open-input.js";
import { stateDirError } from "../state/environment-error.js";
import { fingerprintFiles, normalizeTenant } from "../state/fingerprint.js";
import { syncDirectory } from "../state/journal-file.js";
import { acquireLock, type HeldLock } from "../state/lock-file.js";
import { ensureStateDir, stateLayout, STATE_DIR_MODE } from "../state/state-dir.js";
import { abortError } from "../util/abort.js";
import { timeStamp } from "../util/time-stamp.js";
import { VERSION } from "../version.js";
import { memoryOpJournal, openOpJournal, type OpJournal } from "./op-journal.js";
import type { OpCommand } from "./op-records.js";

export interface OpStateOptions {
  readonly stateDir: string;
  readonly command: OpCommand;
  /** Files to fingerprint (empty for --where); "-" (standard input) makes the run unresumable: no journal file. */
  readonly inputs: readonly string[];
  /** The --where text, for a selector run. */
  readonly where?: string | undefined;
  readonly tenant: string;
  readonly endpoint: string;
  /** The options that change what is done, as one string (part of the run's key). */
  readonly plan: string;
  /** Start over: an earlier journal of the same run is set aside (kept). */
  readonly fresh: boolean;
  readonly forceUnlock: boolean;
  readonly cwd: string;
  readonly signal?: AbortSignal | undefined;
  readonly now?: () => number;
}

export interface OpState {
  readonly journal: OpJournal;
  readonly pinned: ReadonlyMap<string, PinnedInput>;
  /** Lines to tell the user (a lock taken over, a resume, a journal set aside, a torn tail cut). */
  readonly notes: readonly string[];
  close(): void;
}

/** 16 hex digits over everything that makes two runs the same run. */
function opKey(command: OpCommand, sha256s: readonly string[], options: OpStateOptions): string {
  const material = JSON.stringify({ v: 1, command, files: sha256s, where: options.where ?? null, tenant: normalizeTenant(options.tenant), endpoint: options.endpoint.replace(/\/+$/, "").toLowerCase(), plan: options.plan });
  return createHash("sha256").update(material).digest("hex").slice(0, 16);
}

export function opsDir(stateDir: string): string {
  return path.join(stateDir, "ops");
}

/** Locks the state directory, fingerprints the inputs, opens or resumes the journal; on failure nothing stays held. */
export async function openOpState(options: OpStateOptions): Promise<OpState> {
  const now = options.now ?? Date.now;
  const layout = stateLayout(options.stateDir);
  const notes: string[] = [];
  let lock: HeldLock;
  try {
    ensureStateDir(layout);
    lock = acquireLock(layout.lock, { dir: layout.dir, force: options.forceUnlock, command: options.command, now });
  } catch (error) {
    throw stateDirError(layout.dir, error);
  }
  try {
    const replaced = lock.replaced;
    if (replaced) {
      const holder = replaced.holder ? `process ${replaced.holder.pid} on host ${replaced.holder.host} since ${replaced.holder.since}` : "an unreadable lock file";
      notes.push(`took over the lock of ${layout.dir} left by ${holder} (${replaced.reason === "forced" ? "--force-unlock" : "no longer running"})`);
    }
    if (options.inputs.includes("-")) {
      notes.push(`standard input (-) cannot be resumed: no journal is kept for this ${options.command} (save the list to a file to make it resumable)`);
      return { journal: memoryOpJournal(), pinned: new Map(), notes, close: () => lock.release() };
    }
    const files = await fingerprintFiles(options.inputs, options.cwd, options.signal).catch((error: unknown) => {
      throw options.signal?.aborted ? abortError(options.signal) : error;
    });
    const key = opKey(options.command, files.map((f) => f.sha256), options);
    const dir = opsDir(layout.dir);
    const file = path.join(dir, `${options.command}-${key}.jsonl`);
    let opened: Awaited<ReturnType<typeof openOpJournal>>;
    try {
      mkdirSync(dir, { recursive: true, mode: STATE_DIR_MODE });
      if (options.fresh && existsSync(file)) {
        const aside = path.join(dir, `${options.command}-${key}.archived-${timeStamp(now())}.jsonl`);
        renameSync(file, aside);
        syncDirectory(dir);
        notes.push(`--fresh: starting over; the previous journal of this ${options.command} is kept as ${aside}`);
      }
      opened = await openOpJournal(
        file,
        { command: options.command, key, files, where: options.where ?? null, tenant: normalizeTenant(options.tenant), endpoint: options.endpoint, plan: options.plan, tool: VERSION },
        now,
      );
    } catch (error) {
      throw stateDirError(layout.dir, error);
    }
    const { journal, scan } = opened;
    if ((scan?.tornBytes ?? 0) > 0) notes.push(`the journal's last record was torn by an interrupted write (${scan?.tornBytes} bytes): ignored and cut off`);
    if ((scan?.damaged ?? 0) > 0) notes.push(`${scan?.damaged} damaged journal line(s) skipped in ${file}: a write they recorded may be sent again (an update sends the same values again; a deletion already accepted is accepted again)`);
    if (journal.resumed) notes.push(`resuming the ${options.command} journaled in ${file}: rows with an outcome are not written again`);
    const pinned = new Map(files.map((f) => [f.path, { size: f.size, sha256: f.sha256 }]));
    let closed = false;
    return {
      journal,
      pinned,
      notes,
      close() {
        if (closed) return;
        closed = true;
        try {
          journal.close();
        } finally {
          lock.release();
        }
      },
    };
  } catch (error) {
    lock.release();
    throw error;
  }
}
