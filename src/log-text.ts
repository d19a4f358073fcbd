/**
 * Log lines for people: `12:00:01 WARN  message key=value`. A pino destination that rewrites each JSON line pino has
 * already serialized (so redaction has already happened) before handing it on; nothing of pino-pretty's is needed.
 */

/** Where the text goes: stderr, a file's SonicBoom, a test's stream. */
export interface LineSink {
  write(text: string): unknown;
  flush?(callback?: (error?: Error | null) => void): unknown;
}

export interface TextDestinationOptions {
  /** Erase the terminal's current line first, so a progress bar being redrawn there is not torn. */
  readonly clearLine?: boolean;
}

// Fields the line's head already shows, and pino's constant `name`.
const HEAD = new Set(["time", "level", "msg", "name", "pid", "hostname"]);
// A value printed as is; anything else (spaces, quotes, `=`, control characters, empty) is quoted as JSON.
const BARE = /^[\p{L}\p{N}._:/@+,()[\]{}#%&*!?~^$|<>'-]+$/u;
// Control characters would drive the terminal (a serial number from a CSV file is anybody's text); tab and newline stay.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

function escapeControl(text: string): string {
  return text.replace(CONTROL, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** `HH:MM:SS` in local time from pino's ISO time (or the time now, if a line has none). */
function clockTime(time: unknown): string {
  const date = typeof time === "string" || typeof time === "number" ? new Date(time) : new Date();
  const valid = Number.isNaN(date.getTime()) ? new Date() : date;
  return [valid.getHours(), valid.getMinutes(), valid.getSeconds()].map((part) => String(part).padStart(2, "0")).join(":");
}

/** A serialized error (type, message, stack) as its first line: the stack is for the JSON log. */
function isSerializedError(value: unknown): value is { type?: unknown; message: string } {
  return typeof value === "object" && value !== null && typeof (value as { message?: unknown }).message === "string" && "stack" in value;
}

/** One field's value in `key=value` form. */
export function formatValue(value: unknown): string {
  if (typeof value === "number" || typeof value === "boolean" || value === null) return String(value);
  if (typeof value === "string") return BARE.test(value) ? value : JSON.stringify(value);
  if (isSerializedError(value)) return JSON.stringify(typeof value.type === "string" ? `${value.type}: ${value.message}` : value.message);
  return JSON.stringify(value) ?? String(value);
}

/** One JSON log line as text; a line that is not pino's JSON passes through unchanged. */
export function formatLine(json: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  if (typeof entry !== "object" || entry === null) return json;
  const level = typeof entry.level === "string" ? entry.level.toUpperCase() : String(entry.level ?? "");
  const message = typeof entry.msg === "string" ? escapeControl(entry.msg) : "";
  const fields = Object.entries(entry)
    .filter(([key, value]) => !HEAD.has(key) && value !== undefined)
    .map(([key, value]) => `${key}=${formatValue(value)}`);
  return [clockTime(entry.time), level.padEnd(5), message, ...fields].filter((part) => part !== "").join(" ");
}

/** A pino destination writing `formatLine` of each record to `sink`. */
export function textDestination(sink: LineSink, options: TextDestinationOptions = {}): LineSink {
  const prefix = options.clearLine ? "\r\x1b[2K" : "";
  const destination: LineSink = {
    write(chunk: string) {
      const lines = chunk.split("\n").filter((line) => line !== "");
      return sink.write(lines.map((line) => `${prefix}${formatLine(line)}\n`).join(""));
    },
  };
  // pino's logger.flush() reaches a file's buffer through here.
  if (sink.flush) destination.flush = (callback) => sink.flush!(callback);
  return destination;
}
