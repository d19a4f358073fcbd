/**
 * A file the job must not read (a symbolic link, a file it has no permission to read) leaves the queue at once: the
 * entry itself (a link is renamed, never followed) goes to failed/ with a note saying why, through a move plan as any
 * other file, so one bad file never blocks the others. Nothing of it is read, so it has no report.
 */
import { createHash } from "node:crypto";
import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { ImportSummary } from "../pipeline/types.js";
import { freeVariantOf } from "./finish-file.js";
import { InboxError } from "./inbox-error.js";
import type { InboxLayout } from "./layout.js";
import { carryOutMoves, retirePlan, syncFile, writePlan, type MovePlan } from "./move.js";
import { companionNames, freeName, printableName, type InboxReportFormat } from "./names.js";
import type { InboxFileResult } from "./types.js";

/** The counts of a file of which nothing was read. */
export function noRows(): ImportSummary {
  return { rows: 0, valid: 0, invalid: 0, duplicates: 0, submitted: 0, imported: 0, alreadyRegistered: 0, updated: 0, failed: 0, timedOut: 0, registered: 0, uploads: 0, requests: 0, durationMs: 0, sync: null, cleanup: null };
}

const PUT_THE_FILE_ITSELF = "Put the CSV file itself (a regular file the job may read) into the inbox.";

export function quarantineNote(name: string, reason: string, advice = PUT_THE_FILE_ITSELF): string {
  return `autopilot-import did not import ${printableName(name)}: ${reason}.\nNothing from this file was read or sent.\n${advice}\n`;
}

/** Moves `file` (the entry in the inbox, whatever it is) to failed/ with a note; an unmovable one stays, told as such. */
export function quarantine(file: { readonly name: string; readonly path: string }, reason: string, layout: InboxLayout, format: InboxReportFormat, now: () => number, advice?: string): InboxFileResult {
  // A plan needs a key: one of its own, since nothing of the file is read (no run, no journal).
  const key = createHash("sha256").update(`quarantine\0${file.name}\0${now()}`).digest("hex").slice(0, 16);
  const names = companionNames(freeName(file.name, format, (n) => existsSync(path.join(layout.failed, n)), now()), format);
  const note = path.join(layout.work, `${key}.error.txt`);
  try {
    writeFileSync(note, quarantineNote(file.name, reason, advice), { mode: 0o600 });
    syncFile(note);
  } catch (cause) {
    throw new InboxError(note, "cannot write", { cause });
  }
  const plan: MovePlan = { version: 1, key, name: file.name, outcome: "failed", moves: [{ from: note, to: path.join(layout.failed, names.note) }, { from: file.path, to: path.join(layout.failed, names.file) }] };
  const planFile = writePlan(layout.work, plan);
  const base = { name: file.name, outcome: "failed" as const, summary: noRows(), error: reason, quarantined: true, change: null, report: null, resumed: false };
  try {
    const [noteAt, movedTo] = carryOutMoves(plan, freeVariantOf(format, now));
    retirePlan(planFile, () => undefined);
    return { ...base, moveError: null, movedTo: movedTo ?? null, note: noteAt ?? null };
  } catch (error) {
    return { ...base, outcome: "unmoved", moveError: error instanceof Error ? error.message : String(error), movedTo: null, note: null };
  }
}
