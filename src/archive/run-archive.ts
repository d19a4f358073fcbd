/** An import's archive as the command opens it: the file named after the run, the tap that feeds it, its closing line. */
import { EnvironmentError } from "../errors.js";
import { timeStamp } from "../util/time-stamp.js";
import { openArchiveFile } from "./archive-file.js";
import { ArchiveTap } from "./archive-tap.js";

export interface RunArchive {
  readonly path: string;
  readonly tap: ArchiveTap;
  /** fsyncs and closes the file; returns the line that tells where the rows are. */
  close(): Promise<string>;
}

/** `autopilot-import-archive-<run key>.csv` for a journaled run (its resumes append to it), else one per start. */
export function archiveName(runKey: string | undefined, now: number = Date.now()): string {
  return `autopilot-import-archive-${runKey ?? timeStamp(now)}.csv`;
}

/** This machine refused the archive (a folder that cannot be written, a full disk): one line, exit 2. */
function archiveError(dir: string, error: unknown): EnvironmentError {
  const code = (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error));
  return new EnvironmentError(`--archive ${dir}: cannot write the archive (${code})`, { cause: error });
}

export async function openRunArchive(dir: string, runKey: string | undefined): Promise<RunArchive> {
  const file = await openArchiveFile(dir, archiveName(runKey)).catch((error: unknown) => {
    throw archiveError(dir, error);
  });
  const tap = new ArchiveTap(file);
  return {
    path: file.path,
    tap,
    async close() {
      await file.close().catch((error: unknown) => {
        throw archiveError(dir, error);
      });
      return `archive: ${file.written} row${file.written === 1 ? "" : "s"} with their hashes added to ${file.path}`;
    },
  };
}
