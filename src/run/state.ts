/**
 * A command's hold on its state directory: the lock first (one process at a time), then the run's journal. What the
 * operator should be told about them (a lock taken over, damage skipped, a resume) comes back as data to say.
 */
import { acquireLock, type HeldLock } from "../state/lock-file.js";
import { stateDirError } from "../state/environment-error.js";
import { ensureStateDir, stateLayout } from "../state/state-dir.js";
import { openRunJournal, type RunJournal, type RunJournalOptions } from "./journal.js";

export interface RunStateOptions extends RunJournalOptions {
  /** Take the lock whoever holds it (--force-unlock). */
  readonly forceUnlock: boolean;
  /** The command named in the lock, for whoever finds it held. */
  readonly command: string;
}

export interface RunState extends RunJournal {
  /** The stale lock this run took over, if any. */
  readonly replacedLock: HeldLock["replaced"];
  /** Closes the journal and releases the lock; safe to call twice. */
  close(): void;
}

/** Locks the state directory and opens (or resumes) the run's journal; on failure nothing stays held. */
export async function openRunState(options: RunStateOptions): Promise<RunState> {
  const layout = stateLayout(options.stateDir);
  let lock: HeldLock;
  try {
    ensureStateDir(layout);
    lock = acquireLock(layout.lock, { dir: layout.dir, force: options.forceUnlock, command: options.command, now: options.now });
  } catch (error) {
    throw stateDirError(layout.dir, error);
  }
  let opened: RunJournal;
  try {
    opened = await openRunJournal(options);
  } catch (error) {
    lock.release();
    throw error;
  }
  let closed = false;
  return {
    ...opened,
    replacedLock: lock.replaced,
    close() {
      if (closed) return;
      closed = true;
      try {
        opened.journal.close();
      } finally {
        lock.release();
      }
    },
  };
}
