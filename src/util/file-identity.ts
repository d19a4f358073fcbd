/** Whether two paths are one file: by device and inode, so symbolic links and hard links are seen through. */
import { statSync, type Stats } from "node:fs";

export interface FileIdentity {
  readonly dev: number;
  readonly ino: number;
}

/** The file a path leads to (links followed), or undefined when there is none (yet). */
export function identityOf(path: string): FileIdentity | undefined {
  let info: Stats;
  try {
    info = statSync(path);
  } catch {
    return undefined;
  }
  return { dev: info.dev, ino: info.ino };
}

export function sameFile(a: FileIdentity, b: FileIdentity): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}
