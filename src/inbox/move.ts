/**
 * Moving a finished file out of the inbox, crash-safe: the moves (report, error note, then the CSV itself) are
 * written as a plan and fsynced before the first rename; the plan is removed only once the file's journal is archived
 * (after the cleanup of its staged records). A job that dies part-way leaves the plan, and the next job carries it
 * out before it looks at the inbox. Every step can be repeated: a move whose source is gone and whose
 * target exists is done. Renames stay within the volume (atomic); a report written to a state directory on another
 * volume is copied, fsynced and removed instead.
 */
import { closeSync, constants, copyFileSync, existsSync, fsyncSync, openSync, readdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { syncDirectory } from "../state/journal-file.js";
import { InboxError } from "./inbox-error.js";

const planSchema = z.object({
  version: z.literal(1),
  /** The run key of the file's journal (archived once the moves are done). */
  key: z.string().regex(/^[0-9a-f]{16}$/),
  name: z.string().min(1),
  outcome: z.enum(["done", "failed"]),
  moves: z.array(z.object({ from: z.string().min(1), to: z.string().min(1) })).min(1),
});

export type MovePlan = z.output<typeof planSchema>;

const PLAN_SUFFIX = ".move.json";

export function planPath(work: string, key: string): string {
  return path.join(work, `${key}${PLAN_SUFFIX}`);
}

/** fsync of one file (a report about to be moved must be on disk before its new name is). */
export function syncFile(file: string): void {
  const fd = openSync(file, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Writes the plan durably (temp file, fsync, rename, fsync of the folder) before anything is moved. */
export function writePlan(work: string, plan: MovePlan): string {
  const file = planPath(work, plan.key);
  const temp = `${file}.tmp`;
  try {
    writeFileSync(temp, `${JSON.stringify(plan)}\n`);
    syncFile(temp);
    renameSync(temp, file);
    syncDirectory(work);
  } catch (error) {
    throw new InboxError(file, "cannot write the move plan", { cause: error });
  }
  return file;
}

/** Plans an earlier job left unfinished (a plan that cannot be read is reported, never guessed at). */
export function pendingPlans(work: string): Array<{ file: string; plan: MovePlan | undefined }> {
  let names: string[];
  try {
    names = readdirSync(work);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw new InboxError(work, "cannot read", { cause: error });
  }
  return names
    .filter((name) => name.endsWith(PLAN_SUFFIX))
    .sort()
    .map((name) => {
      const file = path.join(work, name);
      let plan: MovePlan | undefined;
      try {
        plan = planSchema.parse(JSON.parse(readFileSync(file, "utf8")));
      } catch {
        plan = undefined;
      }
      return { file, plan };
    });
}

/** Renames `from` to `to` (no overwrite: a taken target gets a free variant); copies across volumes. Returns where it went. */
export function moveOnce(from: string, to: string, freeVariant: (to: string) => string): string | undefined {
  const fromExists = existsSync(from);
  if (!fromExists) return existsSync(to) ? to : undefined; // done before, or lost
  const target = existsSync(to) ? freeVariant(to) : to;
  try {
    renameSync(from, target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EXDEV") throw new InboxError(from, `cannot move to ${target}`, { cause: error });
    try {
      copyFileSync(from, target, constants.COPYFILE_EXCL);
      syncFile(target);
      unlinkSync(from);
    } catch (copyError) {
      throw new InboxError(from, `cannot copy to ${target}`, { cause: copyError });
    }
  }
  return target;
}

/** Carries out a plan's moves in order (each at most once, whatever happened before) and fsyncs the folders; returns where each source is now. */
export function carryOutMoves(plan: MovePlan, freeVariant: (to: string) => string): Array<string | undefined> {
  const targets = plan.moves.map(({ from, to }) => moveOnce(from, to, freeVariant));
  const folders = new Set(plan.moves.flatMap(({ from, to }) => [path.dirname(from), path.dirname(to)]));
  for (const folder of folders) if (existsSync(folder)) syncDirectory(folder);
  return targets;
}

/** Once the moves are done: `after` (archiving the journal, once nothing appends to it any more), then the plan goes. */
export function retirePlan(planFile: string, after: () => void): void {
  after();
  try {
    unlinkSync(planFile);
    syncDirectory(path.dirname(planFile));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw new InboxError(planFile, "cannot remove the move plan", { cause: error });
  }
}
