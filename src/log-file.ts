/**
 * The log file as pino's destination: appended synchronously, created 0600 (logs name serials and users). A log that
 * cannot be written (a full disk, a vanished mount) never stops the run nor its signal handling: the first failure is
 * told once through `onFailure`, and later lines to this file are dropped.
 */
import { closeSync, constants, mkdirSync, openSync, writeSync } from "node:fs";
import path from "node:path";
import type { LineSink } from "./log-text.js";

const APPEND_NONBLOCKING = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | (constants.O_NONBLOCK ?? 0);

export function logFileDestination(file: string, onFailure: (error: NodeJS.ErrnoException) => void): LineSink {
  let fd: number | undefined;
  const fail = (error: unknown): void => {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        // the descriptor is being given up either way
      }
    }
    fd = undefined;
    onFailure(error as NodeJS.ErrnoException);
  };
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    // Non-blocking: a FIFO (or any path whose open would wait) fails here at once instead of hanging the run.
    fd = openSync(file, APPEND_NONBLOCKING, 0o600);
  } catch (error) {
    fail(error);
  }
  return {
    write(text: string) {
      if (fd === undefined) return true;
      const bytes = Buffer.from(text, "utf8");
      try {
        // Synchronous: a line is on disk when the call returns, and a full disk fails here, not in a retry loop.
        for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done);
      } catch (error) {
        fail(error);
      }
      return true;
    },
    flush(callback) {
      callback?.(null);
    },
  };
}
