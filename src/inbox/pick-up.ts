/**
 * Taking a file from the inbox without ever reading through a link. The name is opened with O_NOFOLLOW (a link is
 * refused, not followed) and O_NONBLOCK (a FIFO never blocks the job), checked to be a regular file, and given a
 * private name in the state directory's work folder: a hard link to that very inode (checked by device and inode
 * after linking), or, where hard links are not possible (another volume), a copy read from the descriptor opened.
 * The import reads the private name, so whatever later appears under the inbox name is never read. Before the move,
 * the inbox name must still be that inode with the content the run was fingerprinted on (`changeSince`).
 */
import { createHash } from "node:crypto";
import { closeSync, constants, createWriteStream, fstatSync, lstatSync, openSync, readSync } from "node:fs";
import { link, lstat, mkdir, open, rm } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { normalizeTenant, runKey } from "../state/fingerprint.js";
import type { RunTarget } from "../run/target.js";
import { InboxError } from "./inbox-error.js";
import type { InboxFile, SkipReason } from "./scan.js";

// O_NOFOLLOW and O_NONBLOCK are POSIX; where a platform lacks them the scan's lstat has already set links aside.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/** The inode taken from the inbox, and the private name the import reads it by. */
export interface PickedFile {
  /** The folder holding the private name (the import's working directory: its report still says the inbox name). */
  readonly dir: string;
  readonly path: string;
  readonly dev: number;
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
}

export type PickUp =
  | { readonly kind: "picked"; readonly file: PickedFile }
  /** Never to be read (a link, no permission): the job moves it to failed/ with this reason. */
  | { readonly kind: "unreadable"; readonly reason: string }
  /** Left in the inbox (gone meanwhile, not a regular file, replaced while taken). */
  | { readonly kind: "skipped"; readonly reason: SkipReason };

export const LINK_REASON = "a symbolic link: not followed (links in the inbox are never read, wherever they point)";

/** Why a file cannot be opened, in words (one line); undefined for errors of the whole machine, which stop the job. */
export function unreadableReason(code: string | undefined): string | undefined {
  switch (code) {
    case "ELOOP":
    case "EMLINK": // FreeBSD's answer to O_NOFOLLOW on a link
      return LINK_REASON;
    case "EACCES":
    case "EPERM":
      return "cannot be read: permission denied";
    case "EMFILE":
    case "ENFILE":
    case "ENOMEM":
      return undefined;
    default:
      return `cannot be read: ${code ?? "unknown error"}`;
  }
}

const codeOf = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | undefined)?.code;

/** Takes `file` (see above); the private name replaces any left by an earlier job. */
export async function pickUp(file: InboxFile, pickupDir: string, signal?: AbortSignal): Promise<PickUp> {
  let handle;
  try {
    handle = await open(file.path, OPEN_FLAGS);
  } catch (error) {
    if (codeOf(error) === "ENOENT") return { kind: "skipped", reason: "gone" };
    const reason = unreadableReason(codeOf(error));
    if (reason === undefined) throw error;
    return { kind: "unreadable", reason };
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) return { kind: "skipped", reason: "notFile" };
    const privatePath = path.join(pickupDir, file.name);
    try {
      await mkdir(pickupDir, { recursive: true, mode: 0o700 });
      await rm(privatePath, { force: true });
    } catch (error) {
      throw new InboxError(pickupDir, "cannot write", { cause: error });
    }
    const picked: PickedFile = { dir: pickupDir, path: privatePath, dev: info.dev, ino: info.ino, size: info.size, mtimeMs: info.mtimeMs };
    try {
      await link(file.path, privatePath);
    } catch (error) {
      if (codeOf(error) === "ENOENT") return { kind: "skipped", reason: "gone" };
      // No hard link here (another volume, a file system without them): a copy, read from the descriptor checked above.
      try {
        await pipeline(handle.createReadStream({ start: 0, autoClose: false }), createWriteStream(privatePath, { flags: "wx", mode: 0o600 }), { signal });
      } catch (copyError) {
        await rm(privatePath, { force: true }).catch(() => undefined);
        if (signal?.aborted) throw copyError;
        throw new InboxError(privatePath, "cannot copy the inbox file to", { cause: copyError });
      }
      return { kind: "picked", file: picked };
    }
    const linked = await lstat(privatePath);
    if (linked.dev !== info.dev || linked.ino !== info.ino) {
      await rm(privatePath, { force: true });
      return { kind: "skipped", reason: "changed" }; // the name was replaced between the open and the link
    }
    return { kind: "picked", file: picked };
  } finally {
    await handle.close();
  }
}

/** Drops the private name (the file has left the inbox, or the job stops on it). */
export async function releasePicked(picked: PickedFile): Promise<void> {
  await rm(picked.path, { force: true }).catch(() => undefined);
}

/** SHA-256 of what the descriptor reads, synchronously (the move runs in a synchronous callback). */
function hashDescriptor(fd: number): string {
  const hash = createHash("sha256");
  const buffer = Buffer.allocUnsafe(1 << 20);
  for (;;) {
    const read = readSync(fd, buffer, 0, buffer.length, null);
    if (read === 0) return hash.digest("hex");
    hash.update(buffer.subarray(0, read));
  }
}

/**
 * Whether the inbox name still holds what was taken: `vanished` (deleted or renamed away), `changed` (another inode,
 * a link, other size, time or content than the run's fingerprint), or null.
 */
export function changeSince(inboxPath: string, picked: PickedFile, key: string, target: RunTarget): "changed" | "vanished" | null {
  let info;
  try {
    info = lstatSync(inboxPath);
  } catch (error) {
    if (codeOf(error) === "ENOENT") return "vanished";
    throw new InboxError(inboxPath, "cannot read", { cause: error });
  }
  if (!info.isFile() || info.dev !== picked.dev || info.ino !== picked.ino) return "changed";
  if (info.size !== picked.size || info.mtimeMs !== picked.mtimeMs) return "changed";
  let fd: number;
  try {
    fd = openSync(inboxPath, OPEN_FLAGS);
  } catch {
    return "changed"; // replaced by a link, or its mode changed since it was taken
  }
  try {
    const now = fstatSync(fd);
    if (now.dev !== picked.dev || now.ino !== picked.ino) return "changed";
    // The run key is the content's fingerprint: the same key means the same content as the import was keyed on.
    return runKey([{ sha256: hashDescriptor(fd) }], normalizeTenant(target.tenant), target.endpoint) === key ? null : "changed";
  } finally {
    closeSync(fd);
  }
}
