import { CsvError } from "csv-parse";
import type { LineTracker } from "./line-breaks.js";
import { InputChangedError } from "./open-input.js";
import { MAX_RECORD_BYTES, RecordTooLongError } from "./record-parser.js";

/** One line for an input that cannot be opened or read. */
export function describeReadError(error: unknown): string {
  if (error instanceof InputChangedError) return error.message;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case "ENOENT":
      return "file not found";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "EISDIR":
      return "is a directory, not a file";
    default:
      return `cannot read the file (${code ?? (error instanceof Error ? error.message : String(error))})`;
  }
}

/** One line for a file whose CSV structure breaks down; `afterLine` is the last line of the last good record. */
export function describeParseFailure(error: unknown, afterLine: number, lines: LineTracker): string {
  if (error instanceof RecordTooLongError) {
    return `the record starting after line ${afterLine} is longer than ${MAX_RECORD_BYTES / 1024 / 1024} MB: probably an unterminated quote`;
  }
  if (!(error instanceof CsvError)) return describeReadError(error);
  switch (error.code) {
    case "CSV_QUOTE_NOT_CLOSED":
      return `unterminated quote: a quoted value starting after line ${afterLine} is never closed`;
    case "CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE":
    case "CSV_INVALID_CLOSING_QUOTE":
      return `malformed quoted value on line ${lines.trueLine(Number(error.lines))}: text follows the closing quote (a quote inside a value must be doubled: "")`;
    default:
      return `cannot parse the CSV near line ${lines.trueLine(Number(error.lines))}: ${error.message}`;
  }
}
