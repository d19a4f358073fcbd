/**
 * Names in done/ and failed/: the CSV keeps its name, its report is `<name>.report.csv` (or `.jsonl`) and a note on
 * why it could not be read is `<name>.error.txt`, so all three sort together. When any of them is taken (the same
 * file name dropped again), the CSV gets a UTC time suffix, `devices-20250102T030405Z.csv`, then `-2`, `-3`….
 */
import path from "node:path";
import { timeStamp } from "../util/time-stamp.js";

export type InboxReportFormat = "csv" | "jsonl";

export interface Companions {
  readonly file: string;
  readonly report: string;
  readonly note: string;
}

export function companionNames(name: string, format: InboxReportFormat): Companions {
  return { file: name, report: `${name}.report.${format}`, note: `${name}.error.txt` };
}


/** The name `name` gets in its destination: itself, or with a time (and counter) suffix when any companion is taken. */
export function freeName(name: string, format: InboxReportFormat, taken: (candidate: string) => boolean, now: number): string {
  const ext = path.extname(name);
  const stem = name.slice(0, name.length - ext.length);
  const free = (candidate: string): boolean => Object.values(companionNames(candidate, format)).every((n) => !taken(n));
  if (free(name)) return name;
  const stamped = `${stem}-${timeStamp(now)}`;
  for (let n = 1; ; n++) {
    const candidate = `${stamped}${n === 1 ? "" : `-${n}`}${ext}`;
    if (free(candidate)) return candidate;
  }
}
