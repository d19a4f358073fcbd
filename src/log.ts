import pino, { type DestinationStream, type Level, type Logger } from "pino";
import { logFileDestination } from "./log-file.js";
import { textDestination } from "./log-text.js";
import { CENSOR, SECRET_KEYS, scrubDeep, scrubText } from "./redact.js";

export type LogLevel = Level | "silent";

/** JSON lines (for machines and files) or `12:00:01 WARN  message key=value` lines (for people). */
export const LOG_FORMATS = ["json", "text"] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface LoggerOptions {
  /** Default "info". */
  readonly level?: LogLevel;
  /** Append log lines to this file (created 0600 with its directory); default stderr. */
  readonly file?: string;
  /** Told once when the file cannot be written (its lines are dropped from then on); default: a line on stderr. */
  readonly onFileError?: (error: NodeJS.ErrnoException) => void;
  /** Write here instead (tests, or the CLI's own stream); wins over `file`. */
  readonly destination?: DestinationStream;
  /** Default "json". Both carry level names and the same redacted fields; text is rendered from the JSON. */
  readonly format?: LogFormat;
  /** Text only: erase the terminal line first (a progress bar may be drawn there). */
  readonly clearLine?: boolean;
}

// pino redaction is path based: cover each secret key at the top level and three levels down, through objects and
// arrays alike ("*" matches an array index), e.g. headers.authorization and request.headers.authorization.
const DEPTHS = ["", "*.", "*.*.", "*.*.*."];

function pathFor(prefix: string, key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${prefix}${key}` : `${prefix.replace(/\.$/, "")}["${key}"]`;
}

export const REDACT_PATHS: readonly string[] = SECRET_KEYS.flatMap((key) => {
  const titleCase = key.replace(/(^|-)([a-z])/g, (_, dash: string, letter: string) => dash + letter.toUpperCase());
  const spellings = new Set([key, key.toLowerCase(), titleCase]);
  return DEPTHS.flatMap((prefix) => [...spellings].map((spelling) => pathFor(prefix, spelling)));
});

/**
 * Errors as type, message, stack, cause and own fields, scrubbed: secret keys at any depth, and tokens, JWTs and key
 * blocks in messages and stacks. Graph errors keep request/response non-enumerable, so no Authorization header is
 * there to begin with.
 */
export function serializeError(error: unknown): unknown {
  return scrubDeep(error);
}

function warnOnStderr(file: string): (error: NodeJS.ErrnoException) => void {
  return (error) => process.stderr.write(`${logFileWarning(file, error)}\n`);
}

/** The one line said when the log file cannot be written; the run goes on without it. */
export function logFileWarning(file: string, error: NodeJS.ErrnoException): string {
  return `autopilot-import: warning: cannot write the log file ${file} (${error.code ?? error.message}): its log lines are dropped, the run goes on`;
}

/** The run's pino logger, with secrets and tokens redacted; levels by name and times in ISO 8601 (UTC). */
export function createLogger(options: LoggerOptions = {}): Logger {
  const target =
    options.destination ?? (options.file ? logFileDestination(options.file, options.onFileError ?? warnOnStderr(options.file)) : pino.destination(2));
  const destination = options.format === "text" ? textDestination(target, { clearLine: options.clearLine }) : target;
  return pino(
    {
      level: options.level ?? "info",
      base: { name: "autopilot-import" },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: [...REDACT_PATHS], censor: CENSOR },
      serializers: { err: serializeError, error: serializeError },
      // Paths cover the usual depths cheaply (and child bindings); this catches anything deeper or oddly cased.
      formatters: {
        level: (label) => ({ level: label }),
        log: (object) => scrubDeep(object) as Record<string, unknown>,
      },
      hooks: {
        // Messages are free text: scrub bearer tokens and JWTs that a careless interpolation might put there.
        logMethod(args, method) {
          method.apply(this, args.map((arg) => (typeof arg === "string" ? scrubText(arg) : arg)) as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
}
