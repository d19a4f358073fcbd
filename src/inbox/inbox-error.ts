import { StateError } from "../errors.js";

/** The inbox folder (or its done/, failed/ or state subfolder) cannot be read or written: exit 2, the job stops. */
export class InboxError extends StateError {
  constructor(
    readonly path: string,
    what: string,
    options?: { cause?: unknown },
  ) {
    const code = (options?.cause as NodeJS.ErrnoException | undefined)?.code;
    super(`${what} ${path}${code ? `: ${code === "ENOENT" ? "no such file or directory" : code === "EACCES" || code === "EPERM" ? "permission denied" : code}` : ""}`, options);
  }
}
