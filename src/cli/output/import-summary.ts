/** What an import tells when its outcomes are final: unreadable files, the counts, the report; and --json. */
import type { FileSummary } from "../../csv/types.js";
import { formatSummary } from "../../pipeline/summary.js";
import type { ImportSummary } from "../../pipeline/types.js";
import type { CliContext } from "../context.js";

/** Lines naming each input file that could not be read (to its end: the rows read before the stop have their outcome). */
export function fileErrors(files: readonly FileSummary[]): string[] {
  return files.filter((f) => f.error !== null).map((f) => `autopilot-import: ${f.path}: ${f.error} (${readBeforeStop(f.rows)})`);
}

/** What became of a file that stopped: nothing of it, or its first rows (each with its outcome in the report). */
function readBeforeStop(rows: number): string {
  if (rows === 0) return "nothing from this file was imported";
  const first = rows === 1 ? "its first row was read and is" : `its first ${rows.toLocaleString("en-US")} rows were read and are`;
  return `${first} in the report; nothing after that was imported`;
}

/** Said when the inputs hold no device row at all (exit 2): most often an export that came out empty. */
export function noRowsLine(files: readonly FileSummary[]): string {
  const names = files.map((f) => f.path).join(", ");
  return `autopilot-import: warning: no device rows in ${names || "the input"} (a header only, or an empty file): nothing was imported`;
}

/** The outcome lines on stderr: said as soon as the outcomes are final (before the cleanup's remainder). */
export function printOutcomes(context: CliContext, summary: ImportSummary, files: readonly FileSummary[], reportPath: string): void {
  const errors = fileErrors(files);
  for (const line of errors) context.stderr.write(`${line}\n`);
  if (summary.rows === 0 && errors.length === 0) context.stderr.write(`${noRowsLine(files)}\n`);
  context.stderr.write(formatSummary(summary));
  context.stderr.write(`report: ${reportPath}\n`);
}

/** The one JSON object on stdout (--json); `cleanup` is {"deleted","remaining"}, or null without a cleanup. */
export function printJson(context: CliContext, summary: ImportSummary, extra: Readonly<Record<string, unknown>> = {}): void {
  const { rows, valid, invalid, duplicates, submitted, imported, alreadyRegistered, updated, failed, timedOut, registered, uploads, requests, durationMs, sync } = summary;
  const cleanup = summary.cleanup ? { deleted: summary.cleanup.deleted, remaining: summary.cleanup.remaining } : null;
  const profiles = summary.profiles ?? null;
  const object = { rows, valid, invalid, duplicates, submitted, imported, alreadyRegistered, updated, failed, timedOut, registered, uploads, requests, durationMs, sync, cleanup, profiles, ...extra };
  context.stdout.write(`${JSON.stringify(object)}\n`);
}
