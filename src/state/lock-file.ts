/**
 * The state directory's lock: a file created with O_EXCL holding the holder's pid, host and start, renewed (mtime)
 * by a heartbeat. A lock outlives a crash of its holder, so a new process judges it: on the same host it is stale
 * once the pid is gone; on another host (a container rescheduled elsewhere, a shared volume) the pid cannot be
 * checked, so it is stale only once its heartbeat is older than `staleAfterMs`, or with `force` (--force-unlock).
 */
import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, linkSync, openSync, readFileSync, renameSync, statSync, unlinkSync, utimesSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import path from "node:path";
import { STATE_FILE_MODE } from "./journal-file.js";
import { StateLockedError } from "./lock-error.js";

export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  /** ISO 8601. */
  readonly since: string;
  readonly command?: string;
}

/** Another host's lock is stale once its heartbeat is this old. */
export const LOCK_STALE_AFTER_MS = 10 * 60_000;
/** How often the holder renews its lock's mtime. */
export const LOCK_HEARTBEAT_MS = 30_000;
/** A lock file without readable content (its writer died between creating and writing it) is stale after this. */
const UNREADABLE_GRACE_MS = 10_000;
/**
 * A younger one is looked at again after this pause: a holder writes its lock within microseconds of creating it, so
 * content still unreadable and unchanged then is garbage (or an empty file), not a lock being written.
 */
export const UNREADABLE_CHECK_MS = 1_500;

export interface LockOptions {
  /** The directory the lock protects, for messages. */
  readonly dir?: string;
  /** Take the lock whoever holds it (--force-unlock). */
  readonly force?: boolean;
  readonly command?: string;
  readonly staleAfterMs?: number;
  readonly heartbeatMs?: number;
  readonly now?: () => number;
  readonly pid?: number;
  readonly host?: string;
  /** Whether a process of this host is alive; default: signal 0 (ESRCH: gone). */
  readonly isAlive?: (pid: number) => boolean;
  /** The pause before an unreadable lock is looked at again (UNREADABLE_CHECK_MS). */
  readonly unreadableCheckMs?: number;
}

export interface FoundLock {
  /** Undefined when the file's content cannot be read as a lock. */
  readonly holder: LockHolder | undefined;
  readonly text: string;
  /** Last heartbeat (the file's mtime), ms since the epoch. */
  readonly heartbeatAt: number;
}

export type LockVerdict =
  | { readonly stale: false; readonly reason: "alive" | "otherHost" }
  | { readonly stale: true; readonly reason: "dead" | "previousSelf" | "expired" | "unreadable" | "forced" };

export interface HeldLock {
  readonly file: string;
  readonly holder: LockHolder;
  /** The stale lock this one replaced, and why it was judged stale. */
  readonly replaced: { readonly holder: LockHolder | undefined; readonly reason: string } | undefined;
  release(): void;
}

/** Lock files this process holds: another acquisition in the same process is refused, not taken for a dead predecessor. */
/** Locks this process holds, each with its release: a process leaving at once (a second signal) still removes them. */
const heldHere = new Map<string, () => void>();

/** Releases every lock this process holds; for the process's exit path (bin.ts), which no library code touches. */
export function releaseHeldLocks(): void {
  for (const release of [...heldHere.values()]) release();
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"; // exists, owned by someone else
  }
}

/** Reads a lock file; undefined when there is none. */
export function readLock(file: string): FoundLock | undefined {
  let text: string;
  let heartbeatAt: number;
  try {
    text = readFileSync(file, "utf8");
    heartbeatAt = statSync(file).mtimeMs;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  return { holder: parseHolder(text), text, heartbeatAt };
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockHolder>;
    if (typeof value.pid === "number" && typeof value.host === "string" && typeof value.since === "string") {
      return { pid: value.pid, host: value.host, since: value.since, ...(typeof value.command === "string" ? { command: value.command } : {}) };
    }
  } catch {
    // unreadable: judged by age below
  }
  return undefined;
}

/** Whether a lock found on disk may be taken over. */
export function judgeLock(found: FoundLock, file: string, options: LockOptions = {}): LockVerdict {
  if (options.force) return { stale: true, reason: "forced" };
  const now = (options.now ?? Date.now)();
  const { holder } = found;
  if (!holder) return now - found.heartbeatAt > UNREADABLE_GRACE_MS ? { stale: true, reason: "unreadable" } : { stale: false, reason: "alive" };
  if (holder.host === (options.host ?? hostname())) {
    if (heldHere.has(path.resolve(file))) return { stale: false, reason: "alive" };
    // Our own pid, yet not held here: a predecessor with the same pid (a restarted container's pid 1).
    if (holder.pid === (options.pid ?? process.pid)) return { stale: true, reason: "previousSelf" };
    return (options.isAlive ?? isProcessAlive)(holder.pid) ? { stale: false, reason: "alive" } : { stale: true, reason: "dead" };
  }
  return now - found.heartbeatAt > (options.staleAfterMs ?? LOCK_STALE_AFTER_MS) ? { stale: true, reason: "expired" } : { stale: false, reason: "otherHost" };
}

/** Takes the lock, or throws StateLockedError naming its holder. */
export function acquireLock(file: string, options: LockOptions = {}): HeldLock {
  const now = options.now ?? Date.now;
  const holder: LockHolder = {
    pid: options.pid ?? process.pid,
    host: options.host ?? hostname(),
    since: new Date(now()).toISOString(),
    ...(options.command ? { command: options.command } : {}),
  };
  const text = `${JSON.stringify(holder)}\n`;
  let replaced: HeldLock["replaced"];
  for (let attempt = 0; attempt < 5; attempt++) {
    if (create(file, text)) return hold(file, holder, text, replaced, options.heartbeatMs ?? LOCK_HEARTBEAT_MS);
    const found = readLock(file);
    if (!found) continue; // released meanwhile
    const verdict = found.holder || options.force ? judgeLock(found, file, options) : judgeUnreadable(found, file, options);
    if (verdict === undefined) continue; // it changed: judged again
    if (!verdict.stale) {
      throw new StateLockedError(options.dir ?? path.dirname(file), found.holder ?? { pid: 0, host: "unknown", since: new Date(found.heartbeatAt).toISOString() }, verdict.reason);
    }
    replaced = { holder: found.holder, reason: verdict.reason };
    removeIfUnchanged(file, found.text);
  }
  const found = readLock(file);
  throw new StateLockedError(options.dir ?? path.dirname(file), found?.holder ?? { pid: 0, host: "unknown", since: "unknown" }, "alive");
}

/** An unreadable lock: stale when old, or when it is still the same unreadable content after a short pause. */
function judgeUnreadable(found: FoundLock, file: string, options: LockOptions): LockVerdict | undefined {
  const verdict = judgeLock(found, file, options);
  if (verdict.stale) return verdict;
  pauseSync(options.unreadableCheckMs ?? UNREADABLE_CHECK_MS);
  const again = readLock(file);
  if (!again || again.text !== found.text || again.holder) return undefined;
  return { stale: true, reason: "unreadable" };
}

/** A short synchronous pause (taking the lock is synchronous, and happens once at start). */
function pauseSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** O_EXCL: exactly one process creates the file. */
function create(file: string, text: string): boolean {
  let fd: number;
  try {
    fd = openSync(file, "wx", STATE_FILE_MODE);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    unlinkSync(file); // a lock that could not be written (a full disk) is no lock: nothing is left to block the next run
    throw error;
  }
  closeSync(fd);
  return true;
}

/**
 * Removes a stale lock only if it is still the one judged: it is moved aside first (atomic), and if what was moved
 * is not that lock (another process took over meanwhile), it is put back.
 */
function removeIfUnchanged(file: string, staleText: string): void {
  const aside = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.stale`;
  try {
    renameSync(file, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  let moved = "";
  try {
    moved = readFileSync(aside, "utf8");
  } finally {
    if (moved !== staleText) {
      try {
        linkSync(aside, file); // fails if yet another lock exists: then that one stands
      } catch {
        // another process created a lock meanwhile: it stands
      }
    }
    unlinkSync(aside);
  }
}

function hold(file: string, holder: LockHolder, text: string, replaced: HeldLock["replaced"], heartbeatMs: number): HeldLock {
  const key = path.resolve(file);
  const heartbeat = setInterval(() => {
    try {
      const at = new Date();
      utimesSync(file, at, at);
    } catch {
      // removed by --force-unlock elsewhere: nothing to renew
    }
  }, heartbeatMs);
  heartbeat.unref();
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    clearInterval(heartbeat);
    heldHere.delete(key);
    // Only our own lock is removed (after --force-unlock elsewhere, the file may be someone else's).
    if (readLock(file)?.text === text) unlinkSync(file);
  };
  heldHere.set(key, release);
  return { file, holder, replaced, release };
}
