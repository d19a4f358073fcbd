/**
 * A migration's steps, resumable at each: the devices file is written (planned), the old tenant's half runs until
 * every device that can leave is gone, by id and from the listing (left), then the new tenant's half imports those
 * (joined). The halves are given as functions (the CLI runs the `deregister` and `import` commands); the migration's
 * journal (journal.ts) records each step once it is durable, and the halves' journals make a repeat harmless.
 */
import { existsSync } from "node:fs";
import { writeJoiningFile, writeMovingFile } from "./device-files.js";
import { writeRecord, type MigrationPaths, type MigrationRecord } from "./journal.js";
import { LEFT, readHalfReport, type HalfOutcome } from "./report.js";

export interface MigrationRuntime {
  readonly input: string;
  readonly cwd: string;
  readonly signal: AbortSignal;
  readonly paths: MigrationPaths;
  /** An earlier attempt's record; undefined for a new migration. */
  readonly record: MigrationRecord | undefined;
  /** The record's fields that never change, for a new migration. */
  readonly identity: Pick<MigrationRecord, "key" | "input" | "fromTenant" | "toTenant" | "startedAt">;
  /** Signs in to the new tenant (and lets go): a refused sign-in there must stop the migration before anything leaves the old one. */
  readonly checkJoin: () => Promise<void>;
  /** Runs the old tenant's half on paths.moving; its report goes to paths.leaveReport. */
  readonly leave: () => Promise<void>;
  /** Looks the serials up in the old tenant until none is listed or the deadline passes; returns those still listed. */
  readonly untilUnlisted: (serials: readonly string[]) => Promise<string[]>;
  /** Runs the new tenant's half on paths.joining; its report goes to paths.joinReport. */
  readonly join: () => Promise<void>;
}

export type MigrationEnd =
  /** Both halves ran (`already`: an earlier attempt had finished them). */
  | { readonly kind: "joined"; readonly already: boolean }
  /** Devices still being removed from the old tenant: nothing was imported yet; run again to follow them. */
  | { readonly kind: "leaving"; readonly count: number };

export interface MigrationResult {
  readonly end: MigrationEnd;
  readonly leave: ReadonlyMap<string, HalfOutcome>;
  readonly join: ReadonlyMap<string, HalfOutcome>;
}

const serialKey = (serial: string): string => serial.trim().toUpperCase();

const readIfThere = async (file: string): Promise<Map<string, HalfOutcome>> => (existsSync(file) ? readHalfReport(file) : new Map());

export async function runMigration(rt: MigrationRuntime): Promise<MigrationResult> {
  const { paths } = rt;
  let record = rt.record;
  const already = record?.step === "joined";
  if (!record) {
    const plan = await writeMovingFile(rt.input, rt.cwd, paths.moving, rt.signal);
    record = { version: 1, ...rt.identity, step: "planned", moving: plan.moving };
    await writeRecord(paths, record);
  }
  if (record.step === "planned") {
    if (record.moving > 0) {
      await rt.checkJoin();
      await rt.leave();
    }
    const leave = await readIfThere(paths.leaveReport);
    const pending = [...leave.values()].filter((outcome) => outcome.status === "pending").length;
    if (pending > 0) return { end: { kind: "leaving", count: pending }, leave, join: new Map() };
    const deleted = [...leave.entries()].filter(([, outcome]) => outcome.status === "deleted").map(([serial]) => serial);
    const listed = deleted.length > 0 ? await rt.untilUnlisted(deleted) : [];
    if (listed.length > 0) {
      // Gone by id, still listed: the old tenant still owns the serial (the new one would answer 808).
      for (const serial of listed) leave.set(serialKey(serial), { status: "pending", message: "Deleted, but still listed in the old tenant: not imported yet; run the same migrate command again." });
      return { end: { kind: "leaving", count: listed.length }, leave, join: new Map() };
    }
    const joining = await writeJoiningFile(paths.moving, paths.joining, (serial) => LEFT.has(leave.get(serialKey(serial))?.status ?? ""), rt.signal);
    record = { ...record, step: "left", joining };
    await writeRecord(paths, record);
  }
  if (record.step === "left") {
    if ((record.joining ?? 0) > 0) await rt.join();
    record = { ...record, step: "joined" };
    await writeRecord(paths, record);
  }
  return { end: { kind: "joined", already }, leave: await readIfThere(paths.leaveReport), join: await readIfThere(paths.joinReport) };
}
