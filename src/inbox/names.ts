/**
 * Names in done/ and failed/: the CSV keeps its name, its report is `<name>.report.csv` (or `.jsonl`) and a note on
 * why it could not be read is `<name>.error.txt`, so all three sort together. When any of them is taken (the same
 * file name dropped again), the CSV gets a UTC time suffix, `devices-20250102T030405Z.csv`, then `-2`, `-3`….
 * Every name fits the file system's limit (255 bytes): a name too long for its companions keeps the start of its
 * stem, then `~` and 8 hex digits of its full name's SHA-256 (distinct long names stay distinct), then its extension.
 */
import { createHash } from "node:crypto";
import path from "node:path";
import { timeStamp } from "../util/time-stamp.js";

export type InboxReportFormat = "csv" | "jsonl";

/** The longest name (in UTF-8 bytes) most file systems allow (ext4, XFS, NTFS in UTF-16 units, APFS). */
export const NAME_MAX_BYTES = 255;

export interface Companions {
  readonly file: string;
  readonly report: string;
  readonly note: string;
}

export function companionNames(name: string, format: InboxReportFormat): Companions {
  return { file: name, report: `${name}.report.${format}`, note: `${name}.error.txt` };
}

const bytes = (text: string): number => Buffer.byteLength(text, "utf8");

/** The longest of a name's companions, in bytes. */
function longestCompanion(name: string, format: InboxReportFormat): number {
  return Math.max(...Object.values(companionNames(name, format)).map(bytes));
}

/** `text` cut to at most `max` UTF-8 bytes, never inside a character. */
function cutToBytes(text: string, max: number): string {
  let out = "";
  let used = 0;
  for (const char of text) {
    const size = bytes(char);
    if (used + size > max) break;
    out += char;
    used += size;
  }
  return out;
}

/**
 * `stem + suffix + ext` when it and its companions fit the name limit; else the stem cut short and marked with a hash
 * of `original`, so the name stays recognisable and unique.
 */
export function fittedName(stem: string, suffix: string, ext: string, format: InboxReportFormat, original: string): string {
  const whole = `${stem}${suffix}${ext}`;
  if (longestCompanion(whole, format) <= NAME_MAX_BYTES) return whole;
  const tail = `~${createHash("sha256").update(original).digest("hex").slice(0, 8)}${suffix}${ext}`;
  return `${cutToBytes(stem, Math.max(0, NAME_MAX_BYTES - longestCompanion(tail, format)))}${tail}`;
}

/** The name `name` gets in its destination: itself (shortened to fit), or with a time (and counter) suffix when any companion is taken. */
export function freeName(name: string, format: InboxReportFormat, taken: (candidate: string) => boolean, now: number): string {
  // A long "extension" (a dot late in a long name) is part of the stem: only a short one is kept whole.
  const ext = bytes(path.extname(name)) <= 16 ? path.extname(name) : "";
  const stem = name.slice(0, name.length - ext.length);
  const free = (candidate: string): boolean => Object.values(companionNames(candidate, format)).every((n) => !taken(n));
  const plain = fittedName(stem, "", ext, format, name);
  if (free(plain)) return plain;
  const stamp = `-${timeStamp(now)}`;
  for (let n = 1; ; n++) {
    const candidate = fittedName(stem, `${stamp}${n === 1 ? "" : `-${n}`}`, ext, format, name);
    if (free(candidate)) return candidate;
  }
}

// Control characters (C0, DEL, C1) and the Unicode line and bidi-override marks that reorder or break a printed line.
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** A file name as printed for people (terminal, notes): control characters escaped (`\n`, `\u001b`), nothing else changed. */
export function printableName(name: string): string {
  return name.replace(UNPRINTABLE, (char) => {
    if (char === "\n") return "\\n";
    if (char === "\r") return "\\r";
    if (char === "\t") return "\\t";
    return `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`;
  });
}
