/**
 * A file whose every row has an outcome leaves the inbox: to done/ when every row was imported, already registered or
 * updated, else to failed/ (a row failed, timed out, was invalid or a duplicate, or the file could not be read: then
 * with a note saying why). The sync it made due is noted first, then the moves are planned and carried out; the plan
 * is retired (the journal archived) by the caller once the import has returned.
 */
import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { ImportSummary } from "../pipeline/types.js";
import { InboxError } from "./inbox-error.js";
import { noteSyncDue } from "./job-sync.js";
import type { InboxLayout } from "./layout.js";
import { carryOutMoves, syncFile, writePlan, type MovePlan } from "./move.js";
import { companionNames, freeName, type InboxReportFormat } from "./names.js";
import type { InboxFile } from "./scan.js";
import type { InboxFileResult } from "./types.js";

/** Rows that were not imported (they send the file to failed/). */
export function rowsNotImported(summary: Pick<ImportSummary, "failed" | "timedOut" | "invalid" | "duplicates">): number {
  return summary.failed + summary.timedOut + summary.invalid + summary.duplicates;
}

/** The note beside a file that could not be read: what the reader said and what to do. */
export function noteText(name: string, error: string, rows: number): string {
  const before =
    rows > 0
      ? `The ${rows} row(s) before that point were imported or reported: see the report beside this note.`
      : "Nothing from this file was imported.";
  return `autopilot-import could not read ${name}: ${error}\n${before}\nCorrect the file (or export it again) and drop it into the inbox once more.\n`;
}

/** A free variant of a taken target (a file put there by someone else since the plan was made). */
export function freeVariantOf(format: InboxReportFormat, now: () => number): (to: string) => string {
  return (to) => {
    const dir = path.dirname(to);
    return path.join(dir, freeName(path.basename(to), format, (n) => existsSync(path.join(dir, n)), now()));
  };
}

/** What the import left for the move: its outcome counts (final), and where its report and journal are. */
export interface ImportedFile {
  readonly summary: ImportSummary;
  /** Why the file (or its end) could not be read; null when it was read whole. */
  readonly error: string | null;
  readonly key: string;
  /** The report, in the work folder. */
  readonly report: string;
  readonly resumed: boolean;
}

export interface MoveOutOptions {
  readonly layout: InboxLayout;
  readonly format: InboxReportFormat;
  /** A sync is wanted at the end of the job (then imported devices make one due). */
  readonly sync: boolean;
  readonly now: () => number;
}

/** Moves the file and its report (and note) to done/ or failed/; returns the result and the plan to retire. */
export function moveOut(file: InboxFile, imported: ImportedFile, options: MoveOutOptions): { result: InboxFileResult; planFile: string } {
  const { layout, format, now } = options;
  const { summary, error } = imported;
  const outcome = error === null && rowsNotImported(summary) === 0 ? "done" : "failed";
  if (options.sync && summary.imported > 0) noteSyncDue(layout.work, file.name, now());

  const dest = outcome === "done" ? layout.done : layout.failed;
  const names = companionNames(freeName(file.name, format, (n) => existsSync(path.join(dest, n)), now()), format);
  const moves: MovePlan["moves"] = [{ from: imported.report, to: path.join(dest, names.report) }];
  syncFile(imported.report);
  if (error !== null) {
    const note = path.join(layout.work, `${imported.key}.error.txt`);
    try {
      writeFileSync(note, noteText(file.name, error, summary.rows));
      syncFile(note);
    } catch (cause) {
      throw new InboxError(note, "cannot write", { cause });
    }
    moves.push({ from: note, to: path.join(dest, names.note) });
  }
  moves.push({ from: file.path, to: path.join(dest, names.file) });

  const plan: MovePlan = { version: 1, key: imported.key, name: file.name, outcome, moves };
  const planFile = writePlan(layout.work, plan);
  const targets = carryOutMoves(plan, freeVariantOf(format, now));
  const result: InboxFileResult = {
    name: file.name,
    outcome,
    summary,
    error,
    movedTo: targets.at(-1) ?? path.join(dest, names.file),
    report: targets[0] ?? path.join(dest, names.report),
    note: error !== null ? (targets[1] ?? path.join(dest, names.note)) : null,
    resumed: imported.resumed,
  };
  return { result, planFile };
}
