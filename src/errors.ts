/**
 * The tool's typed errors. Each class maps to exactly one exit code (see src/cli/exit-codes.ts);
 * a row's problem is never an exception, it is data in the report.
 */

/** Base class: `message` is safe to print to a user as one line (no secrets, no stack). */
export abstract class AutopilotImportError extends Error {
  abstract readonly kind: "usage" | "input" | "auth" | "service" | "interrupted" | "state" | "environment";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad command line or configuration value. */
export class UsageError extends AutopilotImportError {
  readonly kind = "usage";
}

/** A whole input file cannot be read or parsed (missing, empty, no header, binary, unterminated quote). */
export class InputFileError extends AutopilotImportError {
  readonly kind = "input";
  constructor(
    readonly file: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Credentials were rejected or no credential could be obtained. */
export class AuthenticationError extends AutopilotImportError {
  readonly kind = "auth";
}

/** Graph answered with something we cannot recover from (after retries). */
export class ServiceError extends AutopilotImportError {
  readonly kind = "service";
  constructor(
    message: string,
    readonly status?: number,
    readonly code?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A failure the service may not repeat (no answer, throttled, 5xx) once the client's own retries are spent. */
export const isTransientServiceError = (error: unknown): error is ServiceError =>
  error instanceof ServiceError && (error.status === undefined || error.status === 429 || error.status >= 500);

/** The local state directory is locked, corrupt or unusable. */
export class StateError extends AutopilotImportError {
  readonly kind = "state";
}

/** A run's journal cannot be used (not a journal at all, or another run's): only that run waits until it is moved away. */
export class JournalRefusedError extends StateError {
  constructor(
    readonly file: string,
    /** What is wrong with it, in a few words ("is not a journal of this tool"). */
    readonly problem: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * This machine's files and folders cannot be used as asked (an input that cannot be read, an output that is an input,
 * a disk that is full): the user's environment, told in one line (exit 2), never as a bug.
 */
export class EnvironmentError extends AutopilotImportError {
  readonly kind = "environment";
}

/** The run was stopped by a signal. */
export class InterruptedError extends AutopilotImportError {
  readonly kind = "interrupted";
  constructor(readonly signal: "SIGINT" | "SIGTERM") {
    super(`interrupted by ${signal}`);
  }
}
