import pino, { type DestinationStream, type Level, type Logger } from "pino";
import { CENSOR, SECRET_KEYS, scrubDeep, scrubText } from "./redact.js";

export type LogLevel = Level | "silent";

export interface LoggerOptions {
  /** Default "info". */
  readonly level?: LogLevel;
  /** Append JSON lines to this file (created with its directory); default stderr. */
  readonly file?: string;
  /** Write here instead (tests, or the CLI's own stream); wins over `file`. */
  readonly destination?: DestinationStream;
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

/** The run's pino logger, with secrets and tokens redacted. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const destination =
    options.destination ??
    (options.file ? pino.destination({ dest: options.file, mkdir: true, sync: false }) : pino.destination(2));
  return pino(
    {
      level: options.level ?? "info",
      base: { name: "autopilot-import" },
      redact: { paths: [...REDACT_PATHS], censor: CENSOR },
      serializers: { err: serializeError, error: serializeError },
      // Paths cover the usual depths cheaply (and child bindings); this catches anything deeper or oddly cased.
      formatters: { log: (object) => scrubDeep(object) as Record<string, unknown> },
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
