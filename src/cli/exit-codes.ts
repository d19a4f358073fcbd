import { AutopilotImportError } from "../errors.js";

/** Exit codes, documented in the README. One place maps errors to codes. */
export const ExitCode = {
  ok: 0,
  someRowsFailed: 1,
  usage: 2,
  authOrService: 3,
  sigint: 130,
  sigterm: 143,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export function exitCodeFor(error: unknown): ExitCodeValue {
  if (!(error instanceof AutopilotImportError)) return ExitCode.authOrService;
  switch (error.kind) {
    case "usage":
    case "input":
    case "state":
      return ExitCode.usage;
    case "auth":
    case "service":
      return ExitCode.authOrService;
    case "interrupted":
      return "signal" in error && error.signal === "SIGINT" ? ExitCode.sigint : ExitCode.sigterm;
  }
}

/** An import's exit code: 0 when every row was imported or already registered, 1 otherwise. */
export function exitCodeForImport(summary: {
  readonly failed: number;
  readonly timedOut: number;
  readonly invalid: number;
  readonly duplicates: number;
}): ExitCodeValue {
  return summary.failed + summary.timedOut + summary.invalid + summary.duplicates > 0 ? ExitCode.someRowsFailed : ExitCode.ok;
}
