/**
 * Notices that the journal an import appends to is no longer the file on disk (deleted, replaced by another file,
 * emptied or cut short by someone else): the open handle keeps writing into a file nobody will read, so a re-run
 * would send everything again. Checked before each record is written (an fstat and a stat: microseconds).
 */
import { fstatSync, statSync } from "node:fs";
import { StateError } from "../errors.js";
import { environmentCause, errorCode } from "./environment-error.js";

/** The journal cannot be trusted or written any more: the import stops before sending anything else (exit 2). */
export class JournalLostError extends StateError {}

export class JournalWatch {
  readonly #file: string;
  readonly #dev: number;
  readonly #ino: number;
  /** Bytes the file holds at least: what it had when opened, and everything appended since. */
  #size: number;

  constructor(file: string, fd: number) {
    const info = fstatSync(fd);
    this.#file = file;
    this.#dev = info.dev;
    this.#ino = info.ino;
    this.#size = info.size;
  }

  /** Throws JournalLostError when the journal was deleted, replaced or shortened since this process opened it. */
  check(fd: number): void {
    const what = this.#whatHappened(fd);
    if (what !== undefined) throw lost(this.#file, what);
  }

  wrote(bytes: number): void {
    this.#size += bytes;
  }

  #whatHappened(fd: number): string | undefined {
    const open = fstatSync(fd);
    if (open.nlink === 0) return "deleted";
    if (open.size < this.#size) return `emptied or cut short (${open.size} of its ${this.#size} bytes left)`;
    let onDisk;
    try {
      onDisk = statSync(this.#file);
    } catch (error) {
      return errorCode(error) === "ENOENT" ? "deleted" : undefined;
    }
    return onDisk.dev !== this.#dev || onDisk.ino !== this.#ino ? "replaced by another file" : undefined;
  }
}

function lost(file: string, what: string): JournalLostError {
  return new JournalLostError(
    `the journal ${file} was ${what} while the import ran: stopped, nothing more is sent; the devices sent so far are no longer journaled, so a run of the same command would send them again (they are then reported already registered)`,
  );
}

/** A journal write that failed because of this machine (a full disk, an I/O error): stop, nothing more is sent. */
export function journalWriteError(file: string, error: unknown): unknown {
  const code = errorCode(error);
  const cause = environmentCause(code);
  if (cause === undefined) return error;
  return new JournalLostError(`cannot write the journal ${file}: ${cause} (${code}): stopped, nothing more is sent; run the same command again once it can be written`, { cause: error });
}
