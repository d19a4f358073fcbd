/**
 * The files a migration hands its halves, written from the input with its hashes in the admin center's format (the
 * archive's, 0600): `moving.csv` (every valid row: what leaves the old tenant) and `joining.csv` (the rows that did
 * leave: what the new tenant imports). Each is written beside its final name, fsynced and renamed into place, so a
 * half that resumes always reads the same bytes its journal was keyed on.
 */
import { open, rename, rm } from "node:fs/promises";
import path from "node:path";
import { ARCHIVE_FILE_MODE, ARCHIVE_HEADER, archiveLine, type ArchiveRow } from "../archive/archive-file.js";
import { openDeviceReader } from "../csv/reader.js";
import { UsageError } from "../errors.js";
import type { RowResult } from "../model/device.js";
import { syncDirectory } from "../state/journal-file.js";

/** An input row that does not move: not a device row with a valid hash, or a repeat of one. */
export interface RejectedRow {
  readonly line: number;
  readonly serialNumber: string;
  readonly status: "invalid" | "duplicate";
  readonly message: string;
}

const toArchiveRow = (row: Extract<RowResult, { status: "valid" }>): ArchiveRow => ({
  serialNumber: row.device.serialNumber,
  productKey: row.device.productKey ?? "",
  hardwareHash: row.device.hardwareIdentifier,
  groupTag: row.device.groupTag ?? "",
  assignedUser: row.device.assignedUserPrincipalName ?? "",
});

/** Writes `rows` to `target` (0600) through a temporary name; returns how many were written. */
async function writeDeviceFile(target: string, rows: AsyncIterable<ArchiveRow>): Promise<number> {
  const temporary = `${target}.partial`;
  const handle = await open(temporary, "w", ARCHIVE_FILE_MODE);
  let count = 0;
  try {
    await handle.chmod(ARCHIVE_FILE_MODE);
    await handle.write(`${ARCHIVE_HEADER.join(",")}\r\n`);
    for await (const row of rows) {
      await handle.write(archiveLine(row));
      count += 1;
    }
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temporary, { force: true });
    throw error;
  }
  await handle.close();
  await rename(temporary, target);
  syncDirectory(path.dirname(target));
  return count;
}

/**
 * Reads the input (refusing up front a file that cannot be read or carries no hashes) and writes its valid rows to
 * `target`; returns the rows that do not move.
 */
export async function writeMovingFile(input: string, cwd: string, target: string, signal: AbortSignal): Promise<{ readonly rows: number; readonly moving: number; readonly rejected: RejectedRow[] }> {
  const reader = openDeviceReader([input], { cwd, signal });
  const rejected: RejectedRow[] = [];
  let rows = 0;
  async function* valid(): AsyncGenerator<ArchiveRow> {
    for await (const row of reader.rows()) {
      rows += 1;
      if (row.status === "valid") yield toArchiveRow(row);
      else rejected.push({ line: row.location.line, serialNumber: row.serialNumber, status: row.status, message: row.message });
    }
  }
  const moving = await writeDeviceFile(target, valid());
  const error = reader.files[0]?.error;
  if (error) {
    await rm(target, { force: true });
    throw new UsageError(`migrate: ${input}: ${error}; a migration needs the devices' hardware hashes (an import file, such as one \`import --archive\` kept)`);
  }
  if (rows === 0) throw new UsageError(`migrate: ${input} has no device rows`);
  return { rows, moving, rejected };
}

/** Writes the rows of `moving` whose serial `keep` accepts to `target` (what the new tenant imports); returns their count. */
export async function writeJoiningFile(moving: string, target: string, keep: (serialNumber: string) => boolean, signal: AbortSignal): Promise<number> {
  const reader = openDeviceReader([moving], { signal });
  async function* kept(): AsyncGenerator<ArchiveRow> {
    for await (const row of reader.rows()) if (row.status === "valid" && keep(row.device.serialNumber)) yield toArchiveRow(row);
  }
  const count = await writeDeviceFile(target, kept());
  const error = reader.files[0]?.error;
  if (error) throw new Error(`migrate: the devices file ${moving} no longer reads back: ${error}`);
  return count;
}
