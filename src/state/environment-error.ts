/**
 * A state directory this machine cannot write (read-only, full, not ours) is the user's environment, not a bug: told
 * in one line naming the directory and the cause (a StateError: exit 2).
 */
import { closeSync, existsSync, openSync, unlinkSync } from "node:fs";
import path from "node:path";
import { StateError } from "../errors.js";

const CAUSES: Readonly<Record<string, string>> = {
  EROFS: "it is on a read-only file system",
  EACCES: "permission denied (this user cannot write there)",
  EPERM: "permission denied (this user cannot write there)",
  ENOSPC: "the disk is full",
  EDQUOT: "the disk quota is exceeded",
  EIO: "an input/output error of the disk",
  ENOTDIR: "a part of its path is a file, not a folder",
  ENAMETOOLONG: "its path is too long",
};

export const errorCode = (error: unknown): string | undefined => {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === "string" ? code : undefined;
};

/** What `code` means for a folder or file of ours, or undefined when it is not a problem of the environment. */
export const environmentCause = (code: string | undefined): string | undefined => (code === undefined ? undefined : CAUSES[code]);

/** The StateError `error` (met while using the state directory `dir`) is, or `error` itself when it is not the environment's. */
export function stateDirError(dir: string, error: unknown): unknown {
  if (error instanceof StateError) return error;
  let code = errorCode(error);
  // mkdir -p on a read-only mount says ENOENT: the real cause is what creating a file in the deepest existing folder says.
  if (code === "ENOENT") code = probeWrite(dir) ?? code;
  const cause = environmentCause(code);
  return cause === undefined ? error : new StateError(`the state directory ${dir} cannot be used: ${cause} (${code})`, { cause: error });
}

/** The error code creating a file in the deepest existing folder of `dir` gives, if any. */
function probeWrite(dir: string): string | undefined {
  let existing = path.resolve(dir);
  while (!existsSync(existing) && path.dirname(existing) !== existing) existing = path.dirname(existing);
  const probe = path.join(existing, `.autopilot-import-probe-${process.pid}`);
  try {
    closeSync(openSync(probe, "wx", 0o600));
    unlinkSync(probe);
    return undefined;
  } catch (error) {
    return errorCode(error);
  }
}
