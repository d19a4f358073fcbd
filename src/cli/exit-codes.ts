/**
 * Exit codes, documented in the README: the one place a command's result or failure becomes a code. Commands return
 * a typed outcome (or throw); they never pick a number themselves.
 */
import { AutopilotImportError } from "../errors.js";

export const ExitCode = {
  ok: 0,
  /** Some work was not done: rows not imported, files sent to failed/, records left, a sync not run. */
  notAllDone: 1,
  /** Usage or configuration, an input that cannot be read, or this machine's environment (a state folder, a disk). */
  usage: 2,
  authOrService: 3,
  /** A bug of ours: the message carries the stack to report it with. */
  internal: 4,
  sigint: 130,
  sigterm: 143,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** What a command finished with; its exit code follows from it alone. */
export type CommandOutcome =
  /** Everything asked for was done (or there was nothing to do). */
  | { readonly kind: "done" }
  /**
   * Rows read from input files (import, validate, a dry run): a file that cannot be read, or inputs with no device row
   * at all (`noRows`: a header only, an empty file), outrank rows not imported.
   */
  | { readonly kind: "rows"; readonly unreadableFiles: number; readonly rowsNotDone: number; readonly noRows?: boolean }
  /** Work that can be left over (records not deleted, files in failed/, a sync not run). */
  | { readonly kind: "partial"; readonly left: number }
  /** The command stopped on this error (an inbox job reports its files before saying why it stopped). */
  | { readonly kind: "stopped"; readonly error: unknown };

export function exitCodeOf(outcome: CommandOutcome): ExitCodeValue {
  switch (outcome.kind) {
    case "done":
      return ExitCode.ok;
    case "rows":
      if (outcome.unreadableFiles > 0 || outcome.noRows === true) return ExitCode.usage;
      return outcome.rowsNotDone > 0 ? ExitCode.notAllDone : ExitCode.ok;
    case "partial":
      return outcome.left > 0 ? ExitCode.notAllDone : ExitCode.ok;
    case "stopped":
      return exitCodeFor(outcome.error);
  }
}

/** Rows an import did not finish: failed, timed out, invalid or duplicate. */
export function rowsNotImported(summary: { readonly failed: number; readonly timedOut: number; readonly invalid: number; readonly duplicates: number }): number {
  return summary.failed + summary.timedOut + summary.invalid + summary.duplicates;
}

/**
 * Errors of this machine's files and folders (a state directory that is read-only or full, an input that cannot be
 * opened): the user's environment, told in one line and exit 2, never as a bug.
 */
const ENVIRONMENT_CODES = new Set(["EACCES", "EPERM", "ENOSPC", "EDQUOT", "EROFS", "ENOENT", "ENOTDIR", "EISDIR", "EEXIST", "ENAMETOOLONG", "ELOOP", "EMFILE", "ENFILE", "EBUSY", "EIO", "EXDEV"]);

/** Errors of the network below Graph's own answers (a reset, a refused connection, a certificate). */
const NETWORK_CODE = /^(ECONN|ETIMEDOUT|ENOTFOUND|EAI_|EHOSTUNREACH|ENETUNREACH|EPIPE|UND_ERR|ERR_TLS|CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO)/;

export type FailureKind = "usage" | "environment" | "service" | "interrupted" | "internal";

export function classifyFailure(error: unknown): FailureKind {
  if (error instanceof AutopilotImportError) {
    switch (error.kind) {
      case "usage":
      case "input":
      case "state":
        return "usage";
      case "auth":
      case "service":
        return "service";
      case "interrupted":
        return "interrupted";
      case "environment":
        return "environment";
    }
  }
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === "string" && ENVIRONMENT_CODES.has(code)) return "environment";
  if (typeof code === "string" && NETWORK_CODE.test(code)) return "service";
  return environmentCause(error) !== undefined ? "environment" : "internal";
}

/** An error of ours wrapped by a library (or a plain Error) whose cause is this machine's files: still the environment. */
function environmentCause(error: unknown): string | undefined {
  let cause: unknown = (error as { cause?: unknown } | undefined)?.cause;
  for (let depth = 0; depth < 5 && cause !== undefined && cause !== null; depth++) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (typeof code === "string" && ENVIRONMENT_CODES.has(code)) return code;
    cause = (cause as { cause?: unknown }).cause;
  }
  return undefined;
}

export function exitCodeFor(error: unknown): ExitCodeValue {
  switch (classifyFailure(error)) {
    case "usage":
    case "environment":
      return ExitCode.usage;
    case "service":
      return ExitCode.authOrService;
    case "interrupted":
      return "signal" in (error as object) && (error as { signal: unknown }).signal === "SIGINT" ? ExitCode.sigint : ExitCode.sigterm;
    case "internal":
      return ExitCode.internal;
  }
}

/** The one line a failure is told in: our errors and the environment's as they are, a bug with its stack to report. */
export function failureText(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const kind = classifyFailure(error);
  // A library's error wrapping ours: its message, and the code that says what in this machine failed.
  const code = error instanceof AutopilotImportError ? undefined : environmentCause(error);
  if (kind === "environment" && code !== undefined && !message.includes(code)) return `${message} (${code})`;
  if (kind !== "internal") return message;
  return `internal error (please report it): ${error instanceof Error ? (error.stack ?? message) : message}`;
}
