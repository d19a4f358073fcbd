/**
 * A migration's own journal: which half is done, in `<state-dir>/migrate/<key>/migration.json` (rewritten whole,
 * fsynced, renamed into place), beside the files and reports its halves work on and the halves' own state directory. The key is the input's content, both
 * tenants, the Graph endpoint and whether Intune records go too: the same command resumes the same migration. Each
 * half keeps its own command's journal besides, so nothing is deleted or submitted twice whatever this one says.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync } from "node:fs";
import { open } from "node:fs/promises";
import path from "node:path";
import { StateError } from "../errors.js";
import { normalizeTenant } from "../state/fingerprint.js";
import { STATE_FILE_MODE, syncDirectory } from "../state/journal-file.js";
import { acquireLock, type HeldLock } from "../state/lock-file.js";
import { STATE_DIR_MODE } from "../state/state-dir.js";
import { timeStamp } from "../util/time-stamp.js";

/** planned: the devices file is written; left: every device that could leave the old tenant is gone from it; joined: the import into the new one ended. */
export type MigrationStep = "planned" | "left" | "joined";

export interface MigrationRecord {
  readonly version: 1;
  readonly key: string;
  readonly input: string;
  readonly fromTenant: string;
  readonly toTenant: string;
  readonly startedAt: string;
  readonly step: MigrationStep;
  /** Valid rows (moving.csv) and, once left, the rows the new tenant imports (joining.csv). */
  readonly moving: number;
  readonly joining?: number;
}

export interface MigrationPaths {
  readonly dir: string;
  readonly record: string;
  readonly lock: string;
  /** The valid rows with their hashes: the old tenant's deregister reads it. */
  readonly moving: string;
  /** The rows that left: the new tenant's import reads it. */
  readonly joining: string;
  readonly leaveReport: string;
  readonly joinReport: string;
  /** The halves' own state directory (their journals and lock): the migration's, and never holding their inputs. */
  readonly halvesState: string;
}

export function migrationKey(inputSha256: string, target: { readonly fromTenant: string; readonly toTenant: string; readonly endpoint: string; readonly plan: string }): string {
  const material = JSON.stringify({ v: 1, input: inputSha256, from: normalizeTenant(target.fromTenant), to: normalizeTenant(target.toTenant), endpoint: target.endpoint.replace(/\/+$/, "").toLowerCase(), plan: target.plan });
  return createHash("sha256").update(material).digest("hex").slice(0, 16);
}

export function migrationPaths(stateDir: string, key: string): MigrationPaths {
  const dir = path.join(stateDir, "migrate", key);
  return {
    dir,
    record: path.join(dir, "migration.json"),
    lock: path.join(dir, "lock"),
    moving: path.join(dir, "moving.csv"),
    joining: path.join(dir, "joining.csv"),
    leaveReport: path.join(dir, "leave-report.jsonl"),
    joinReport: path.join(dir, "join-report.jsonl"),
    halvesState: path.join(dir, "state"),
  };
}

export interface OpenedMigration {
  readonly paths: MigrationPaths;
  /** The record of an earlier attempt, if any (undefined: a new migration). */
  readonly record: MigrationRecord | undefined;
  /** Where --fresh set an earlier attempt aside. */
  readonly setAside: string | undefined;
  readonly lock: HeldLock;
}

/** Creates (or finds) the migration's folder and takes its lock: one process per migration (its halves lock the state directory in turn). */
export function openMigration(stateDir: string, key: string, options: { readonly fresh: boolean; readonly forceUnlock: boolean; readonly now?: () => number }): OpenedMigration {
  let paths = migrationPaths(stateDir, key);
  let setAside: string | undefined;
  mkdirSync(path.dirname(paths.dir), { recursive: true, mode: STATE_DIR_MODE });
  if (options.fresh && existsSync(paths.dir)) {
    setAside = `${paths.dir}.archived-${timeStamp((options.now ?? Date.now)())}`;
    renameSync(paths.dir, setAside);
    paths = migrationPaths(stateDir, key);
  }
  mkdirSync(paths.dir, { recursive: true, mode: STATE_DIR_MODE });
  const lock = acquireLock(paths.lock, { dir: paths.dir, force: options.forceUnlock, command: "migrate", ...(options.now ? { now: options.now } : {}) });
  try {
    return { paths, record: readRecord(paths.record), setAside, lock };
  } catch (error) {
    lock.release();
    throw error;
  }
}

function readRecord(file: string): MigrationRecord | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const record = JSON.parse(readFileSync(file, "utf8")) as MigrationRecord;
    if (record.version !== 1 || !["planned", "left", "joined"].includes(record.step)) throw new Error("unknown version or step");
    return record;
  } catch (error) {
    throw new StateError(`migrate: the journal ${file} is damaged (${error instanceof Error ? error.message : String(error)}): run again with --fresh to start over (each half's own journal still keeps anything from being done twice)`);
  }
}

/** Replaces the record: written beside it, fsynced, renamed over it, the folder fsynced. */
export async function writeRecord(paths: MigrationPaths, record: MigrationRecord): Promise<void> {
  const temporary = `${paths.record}.partial`;
  const handle = await open(temporary, "w", STATE_FILE_MODE);
  try {
    await handle.write(`${JSON.stringify(record)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  renameSync(temporary, paths.record);
  syncDirectory(paths.dir);
}
