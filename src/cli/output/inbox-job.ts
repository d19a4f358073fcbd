/** What `run` prints: a line per file as it leaves the inbox, the files left behind, the closing line, and --json. */
import path from "node:path";
import { printableName } from "../../inbox/names.js";
import type { SkippedFile } from "../../inbox/scan.js";
import type { InboxFileResult, InboxJobResult } from "../../inbox/types.js";
import { formatDuration } from "../../util/duration.js";
import type { ImportSummary } from "../../pipeline/types.js";
import type { LockHolder } from "../../state/lock-file.js";

const number = new Intl.NumberFormat("en-US");

/** "117 imported, 1 already registered, 2 invalid": the non-zero outcome counts. */
export function outcomeCounts(s: ImportSummary): string {
  const parts: Array<[number, string]> = [
    [s.imported, "imported"],
    [s.alreadyRegistered, "already registered"],
    [s.updated, "updated"],
    [s.failed, "failed"],
    [s.timedOut, "timed out"],
    [s.invalid, "invalid"],
    [s.duplicates, "duplicate"],
  ];
  const text = parts.filter(([n]) => n > 0).map(([n, label]) => `${number.format(n)} ${label}`);
  return text.length > 0 ? text.join(", ") : "no devices";
}

/**
 * `devices.csv: 120 rows: 118 imported, 2 invalid → failed/devices.csv (report failed/devices.csv.report.csv)`; control
 * characters in names (a newline, an escape sequence) are shown escaped, never sent to the terminal.
 */
export function fileLine(result: InboxFileResult, root: string): string {
  const rel = (file: string): string => path.relative(root, file);
  const rows = `${number.format(result.summary.rows)} rows: ${outcomeCounts(result.summary)}`;
  const beside = [...(result.report ? [`report ${rel(result.report)}`] : []), ...(result.note ? [`note ${rel(result.note)}`] : [])].join(", ");
  let line: string;
  if (result.outcome === "unmoved") {
    const what = result.quarantined ? `not imported: ${result.error ?? ""}` : rows;
    line = `${result.name}: ${what}; it cannot be moved and stays in the inbox (the next run moves it${result.quarantined ? "" : " without importing it again"}): ${result.moveError ?? ""}`;
  } else if (result.quarantined) {
    line = `${result.name}: not imported: ${result.error ?? ""} → ${result.movedTo ? rel(result.movedTo) : "?"} (${beside})`;
  } else {
    const what = result.error !== null ? `cannot be read: ${result.error}; ${number.format(result.summary.rows)} row(s)` : rows;
    const change =
      result.change === "vanished" ? "; the file vanished from the inbox during its import" : result.change === "changed" ? "; the file changed during its import, not moved to done/" : "";
    const where = result.movedTo ? `→ ${rel(result.movedTo)} (${beside})` : `(${beside})`;
    line = `${result.name}: ${what}${change} ${where}${result.resumed ? " [resumed]" : ""}`;
  }
  return printableName(line);
}

/** Why a file stays in the inbox, in words. */
export function skipText(skipped: SkippedFile, settleMs: number): string {
  switch (skipped.reason) {
    case "hidden":
      return "hidden or a lock file";
    case "partial":
      return "still being written, by its name (.partial, .part, .filepart, .tmp, .crdownload)";
    case "extension":
      return "not a .csv or .tsv file";
    case "notFile":
      return "not a file";
    case "young":
      return `modified less than ${formatDuration(settleMs)} ago: taken by a later run`;
    case "changing":
      return `still changing, its size or time changed within ${formatDuration(settleMs)}: taken by a later run`;
    case "changed":
      return "changed while this job ran: taken by a later run";
    case "gone":
      return "removed while this job ran";
  }
}

/** Lines for the files left in the inbox (hidden ones are not worth a line). */
export function skippedLines(skipped: readonly SkippedFile[], settleMs: number): string[] {
  return skipped.filter((s) => s.reason !== "hidden").map((s) => `${printableName(s.name)}: left in the inbox: ${skipText(s, settleMs)}`);
}

export function closingLine(result: InboxJobResult): string {
  const done = result.files.filter((f) => f.outcome === "done").length;
  const failed = result.files.filter((f) => f.outcome === "failed").length;
  const unmoved = result.files.length - done - failed;
  const left = result.skipped.filter((s) => s.reason !== "hidden" && s.reason !== "extension" && s.reason !== "notFile" && s.reason !== "gone").length;
  const parts = [`${done} file(s) to done/`, `${failed} to failed/`];
  if (unmoved > 0) parts.push(`${unmoved} could not be moved`);
  if (left > 0) parts.push(`${left} left for a later run`);
  if (result.recovered.length > 0) parts.push(`${result.recovered.length} move(s) an earlier job left finished`);
  if (result.unrecovered.length > 0) parts.push(`${result.unrecovered.length} move(s) an earlier job left failed again`);
  return `inbox ${printableName(result.dir)}: ${parts.join(", ")}; sync: ${result.sync.message}`;
}

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** The --json object: the job's files (each with its summary's counts), what stayed, the sync and why it stopped. */
export function jobJson(result: InboxJobResult, exitCode: number): Record<string, unknown> {
  return {
    inbox: result.dir,
    files: result.files.map((f) => {
      const { rows, valid, invalid, duplicates, submitted, imported, alreadyRegistered, updated, failed, timedOut, registered, uploads, requests, durationMs, cleanup } = f.summary;
      return {
        name: f.name,
        outcome: f.outcome,
        rows,
        valid,
        invalid,
        duplicates,
        submitted,
        imported,
        alreadyRegistered,
        updated,
        failed,
        timedOut,
        registered,
        uploads,
        requests,
        durationMs,
        cleanup,
        movedTo: f.movedTo,
        report: f.report,
        note: f.note,
        error: f.error,
        quarantined: f.quarantined,
        change: f.change,
        moveError: f.moveError,
        resumed: f.resumed,
      };
    }),
    skipped: result.skipped,
    recovered: result.recovered,
    unrecovered: result.unrecovered,
    sync: result.sync,
    stopped: result.stopped ? { file: result.stopped.file, error: message(result.stopped.error) } : null,
    locked: null,
    exitCode,
    durationMs: result.durationMs,
  };
}

/** The --json object when another job holds the inbox. */
export function lockedJson(inbox: string, holder: LockHolder, exitCode: number): Record<string, unknown> {
  return { inbox, files: [], skipped: [], recovered: [], unrecovered: [], sync: null, stopped: null, locked: holder, exitCode, durationMs: 0 };
}
