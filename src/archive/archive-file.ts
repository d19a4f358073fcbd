/**
 * The archive of an import run: the rows Graph accepted, with their hardware hashes, in the admin center's CSV format
 * (Device Serial Number, Windows Product ID, Hardware Hash, Group Tag, Assigned User), so that a later `migrate` (or
 * a re-import anywhere) has them: Graph never gives a hash back. Appended as the run goes, fsynced at the end, 0600
 * (hashes are sensitive inventory); a resumed run appends to the same file and skips serials it already holds.
 */
import { createReadStream } from "node:fs";
import { chmod, mkdir, open, type FileHandle } from "node:fs/promises";
import path from "node:path";
import { createInterface } from "node:readline";
import { syncDirectory } from "../state/journal-file.js";

export const ARCHIVE_FILE_MODE = 0o600;
const ARCHIVE_DIR_MODE = 0o700;
export const ARCHIVE_HEADER = ["Device Serial Number", "Windows Product ID", "Hardware Hash", "Group Tag", "Assigned User"] as const;
const LINE_END = "\r\n";

export interface ArchiveRow {
  readonly serialNumber: string;
  readonly productKey: string;
  readonly hardwareHash: string;
  readonly groupTag: string;
  readonly assignedUser: string;
}

/** Exact values (no formula neutralising: the file is input for imports, not a spreadsheet), quoted when they must be. */
function cell(value: string): string {
  return /[",\r\n]|^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function archiveLine(row: ArchiveRow): string {
  return [row.serialNumber, row.productKey, row.hardwareHash, row.groupTag, row.assignedUser].map(cell).join(",") + LINE_END;
}

/** The first cell of one of our own lines (quoted or not). */
function firstCell(line: string): string {
  if (!line.startsWith('"')) return line.slice(0, line.indexOf(",") < 0 ? line.length : line.indexOf(","));
  let value = "";
  for (let i = 1; i < line.length; i++) {
    if (line[i] !== '"') value += line[i];
    else if (line[i + 1] === '"') {
      value += '"';
      i += 1;
    } else break;
  }
  return value;
}

export const archiveSerialKey = (serial: string): string => serial.trim().toUpperCase();

/** The serials an earlier process of the run archived (header skipped). */
async function archivedSerials(file: string): Promise<Set<string>> {
  const serials = new Set<string>();
  let first = true;
  for await (const line of createInterface({ input: createReadStream(file, { encoding: "utf8" }), crlfDelay: Infinity })) {
    if (!first && line !== "") serials.add(archiveSerialKey(firstCell(line)));
    first = false;
  }
  return serials;
}

/** Cuts a last line torn by a kill (no line end): its row is written again. Returns the size kept. */
async function cutTornTail(handle: FileHandle, size: number): Promise<number> {
  const chunk = Buffer.alloc(64 * 1024);
  let end = size;
  while (end > 0) {
    const start = Math.max(0, end - chunk.length);
    const { bytesRead } = await handle.read(chunk, 0, end - start, start);
    const newline = chunk.subarray(0, bytesRead).lastIndexOf(0x0a);
    if (end === size && newline === bytesRead - 1) return size;
    if (newline >= 0) {
      await handle.truncate(start + newline + 1);
      return start + newline + 1;
    }
    end = start;
  }
  await handle.truncate(0);
  return 0;
}

export interface ArchiveFile {
  readonly path: string;
  /** Rows written by this process. */
  readonly written: number;
  /** Appends the row unless its serial is archived already; writes are queued in order. */
  add(row: ArchiveRow): void;
  /** Waits for the writes, fsyncs the file and its directory, closes it; the first write error is thrown here. */
  close(): Promise<void>;
}

/** Opens (or resumes) `name` in `dir`, created 0700 if missing; the file is 0600 whoever's umask. */
export async function openArchiveFile(dir: string, name: string): Promise<ArchiveFile> {
  await mkdir(dir, { recursive: true, mode: ARCHIVE_DIR_MODE });
  const file = path.join(dir, name);
  const handle: FileHandle = await open(file, "a+", ARCHIVE_FILE_MODE);
  let serials = new Set<string>();
  try {
    await chmod(file, ARCHIVE_FILE_MODE);
    const size = await cutTornTail(handle, (await handle.stat()).size);
    if (size === 0) await handle.write(ARCHIVE_HEADER.join(",") + LINE_END);
    else serials = await archivedSerials(file);
  } catch (error) {
    await handle.close();
    throw error;
  }
  let queue: Promise<unknown> = Promise.resolve();
  let failure: unknown;
  let written = 0;
  return {
    path: file,
    get written() {
      return written;
    },
    add(row) {
      const key = archiveSerialKey(row.serialNumber);
      if (serials.has(key)) return;
      serials.add(key);
      const line = archiveLine(row);
      queue = queue.then(() => handle.write(line)).then(
        () => void (written += 1),
        (error: unknown) => void (failure ??= error),
      );
    },
    async close() {
      try {
        await queue;
        if (failure !== undefined) throw failure;
        await handle.sync();
      } finally {
        await handle.close();
      }
      syncDirectory(dir);
    },
  };
}
