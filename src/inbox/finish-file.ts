/**
 * A file whose every row has an outcome leaves the inbox: to done/ when every row was imported, already registered or
 * updated, else to failed/ (a row failed, timed out, was invalid or a duplicate, the file could not be read, or it
 * changed or vanished during its import: then with a note saying why). The sync it made due is noted first, then the
 * moves are planned and carried out; the plan is retired (the journal archived) by the caller once the import has
 * returned. A move that fails leaves that one file in the inbox (outcome `unmoved`, its plan kept for the next job).
 */
import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { ImportSummary } from "../pipeline/types.js";
import { InboxError } from "./inbox-error.js";
import { noteSyncDue } from "./job-sync.js";
import type { InboxLayout } from "./layout.js";
import { carryOutMoves, syncFile, writePlan, type MovePlan } from "./move.js";
import { companionNames, freeName, printableName, type InboxReportFormat } from "./names.js";
import type { InboxFile } from "./scan.js";
import type { InboxFileResult } from "./types.js";

/** Rows that were not imported (they send the file to failed/). */
export function rowsNotImported(summary: Pick<ImportSummary, "failed" | "timedOut" | "invalid" | "duplicates">): number {
  return summary.failed + summary.timedOut + summary.invalid + summary.duplicates;
}

/** The note beside a file that could not be read, or that changed or vanished while it was imported: what happened and what to do. */
export function noteText(name: string, error: string | null, rows: number, change: "changed" | "vanished" | null = null): string {
  const shown = printableName(name);
  const lines: string[] = [];
  if (error !== null) {
    lines.push(`autopilot-import could not read ${shown}: ${printableName(error)}`);
    lines.push(rows > 0 ? `The ${rows} row(s) before that point were imported or reported: see the report beside this note.` : "Nothing from this file was imported.");
  }
  if (change === "changed") {
    lines.push(`${shown} changed while it was imported (written to, or replaced, after it was taken): it was not moved to done/.`);
    lines.push(`The report beside this note has an outcome for each of the ${rows} row(s) imported from it as it was when taken; the file here is the changed one.`);
    lines.push("Check that it is complete, then drop it into the inbox again: rows already imported are reported as already registered. Writers should write under a .partial name and rename when done.");
  } else if (change === "vanished") {
    lines.push(`${shown} was deleted or moved out of the inbox while it was imported: only its report is here, with an outcome for each of its ${rows} row(s).`);
  } else {
    lines.push("Correct the file (or export it again) and drop it into the inbox once more.");
  }
  return `${lines.join("\n")}\n`;
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
  /** The inbox file changed or vanished while it was imported (checked right before the move). */
  readonly change: "changed" | "vanished" | null;
}

export interface MoveOutOptions {
  readonly layout: InboxLayout;
  readonly format: InboxReportFormat;
  /** A sync is wanted at the end of the job (then imported devices make one due). */
  readonly sync: boolean;
  readonly now: () => number;
}

/** Moves the file and its report (and note) to done/ or failed/; returns the result and the plan to retire (none when a move failed). */
export function moveOut(file: InboxFile, imported: ImportedFile, options: MoveOutOptions): { result: InboxFileResult; planFile: string | undefined } {
  const { layout, format, now } = options;
  const { summary, error, change } = imported;
  const outcome = error === null && change === null && rowsNotImported(summary) === 0 ? "done" : "failed";
  if (options.sync && summary.imported > 0) noteSyncDue(layout.work, file.name, now());

  const dest = outcome === "done" ? layout.done : layout.failed;
  const names = companionNames(freeName(file.name, format, (n) => existsSync(path.join(dest, n)), now()), format);
  const moves: MovePlan["moves"] = [{ from: imported.report, to: path.join(dest, names.report) }];
  syncFile(imported.report);
  const noted = error !== null || change !== null;
  if (noted) {
    const note = path.join(layout.work, `${imported.key}.error.txt`);
    try {
      writeFileSync(note, noteText(file.name, error, summary.rows, change), { mode: 0o600 });
      syncFile(note);
    } catch (cause) {
      throw new InboxError(note, "cannot write", { cause });
    }
    moves.push({ from: note, to: path.join(dest, names.note) });
  }
  if (change !== "vanished") moves.push({ from: file.path, to: path.join(dest, names.file) });

  const plan: MovePlan = { version: 1, key: imported.key, name: file.name, outcome, moves };
  const planFile = writePlan(layout.work, plan);
  const base = { name: file.name, summary, error, quarantined: false, change, resumed: imported.resumed };
  let targets: Array<string | undefined>;
  try {
    targets = carryOutMoves(plan, freeVariantOf(format, now));
  } catch (moveError) {
    // This one file stays in the inbox with its plan (the next job retries it); the job goes on with the others.
    const report = existsSync(imported.report) ? imported.report : path.join(dest, names.report);
    const result: InboxFileResult = { ...base, outcome: "unmoved", moveError: moveError instanceof Error ? moveError.message : String(moveError), movedTo: null, report, note: null };
    return { result, planFile: undefined };
  }
  const result: InboxFileResult = {
    ...base,
    outcome,
    moveError: null,
    movedTo: change === "vanished" ? null : (targets.at(-1) ?? path.join(dest, names.file)),
    report: targets[0] ?? path.join(dest, names.report),
    note: noted ? (targets[1] ?? path.join(dest, names.note)) : null,
  };
  return { result, planFile };
}
