/**
 * One job per inbox: the state directory's lock (src/state), which also keeps `import` runs out of its journals; and
 * when the state directory lies outside the inbox folder, a second lock in the folder itself, so that two jobs given
 * different state directories still cannot both work one inbox (both would import every file).
 */
import path from "node:path";
import { acquireLock, type HeldLock } from "../state/lock-file.js";
import { ensureStateDir, stateLayout } from "../state/state-dir.js";
import { stateDirInside, type InboxLayout } from "./layout.js";

/** The lock file in the inbox folder, used when the state directory is elsewhere. */
export const INBOX_LOCK_FILE = ".autopilot-import.lock";

export interface InboxLock {
  /** Stale locks taken over (a dead holder, or --force-unlock), for the log. */
  readonly replaced: ReadonlyArray<NonNullable<HeldLock["replaced"]>>;
  release(): void;
}

export interface InboxLockOptions {
  readonly force: boolean;
  readonly now?: () => number;
}

/** Takes the lock(s), or throws StateLockedError naming the holder; on failure nothing stays held. */
export function lockInbox(layout: InboxLayout, options: InboxLockOptions): InboxLock {
  const state = stateLayout(layout.stateDir);
  ensureStateDir(state);
  const wanted = [{ file: state.lock, dir: state.dir }];
  if (!stateDirInside(layout)) wanted.push({ file: path.join(layout.root, INBOX_LOCK_FILE), dir: layout.root });
  const held: HeldLock[] = [];
  try {
    for (const { file, dir } of wanted) held.push(acquireLock(file, { dir, force: options.force, command: "run", ...(options.now ? { now: options.now } : {}) }));
  } catch (error) {
    for (const lock of held.reverse()) lock.release();
    throw error;
  }
  return {
    replaced: held.flatMap((lock) => (lock.replaced ? [lock.replaced] : [])),
    release() {
      for (const lock of [...held].reverse()) lock.release();
    },
  };
}
