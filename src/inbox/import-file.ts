/**
 * One inbox file's import: its own run and journal, the report written in the state directory's work folder until the
 * file is moved, the after-import steps as `import` runs them but without the sync (the job syncs once at its end).
 */
import { createPostImportStage } from "../after/post-import.js";
import type { FileSummary } from "../csv/types.js";
import { importDevices } from "../pipeline/import-devices.js";
import type { ImportSummary } from "../pipeline/types.js";
import { openFileJournal } from "./file-journal.js";
import type { InboxLayout } from "./layout.js";
import type { InboxFile } from "./scan.js";
import type { InboxJobOptions } from "./types.js";
import path from "node:path";

export interface FileImport {
  readonly summary: ImportSummary;
  /** Why the file (or its end) could not be read; null when it was read whole. */
  readonly error: string | null;
  readonly key: string;
  /** The report, in the work folder. */
  readonly report: string;
  readonly resumed: boolean;
}

/** Imports one file; throws (journal flushed and closed, file untouched) when the import stops. */
export async function importInboxFile(file: InboxFile, layout: InboxLayout, options: InboxJobOptions, signal: AbortSignal, now: () => number): Promise<FileImport> {
  const log = options.logger;
  const opened = await openFileJournal(file, layout.inbox, layout.stateDir, options.target, signal, now);
  const { journal, key } = opened;
  try {
    if (opened.damage.tornBytes > 0 || opened.damage.damaged > 0) log?.warn({ file: file.name, journal: opened.file, ...opened.damage }, "journal damage skipped");
    log?.info({ file: file.name, run: key, journal: opened.file, resumed: opened.resumed, finished: journal.state.finished !== undefined }, opened.resumed ? "resuming file" : "importing file");
    const report = path.join(layout.work, `${key}.report.${options.reportFormat ?? "csv"}`);
    const { after } = options;
    let files: readonly FileSummary[] = [];
    const summary = await importDevices({
      input: [file.name],
      cwd: layout.inbox,
      client: options.client,
      limiter: options.limiter,
      api: options.api,
      batchSize: options.batchSize,
      pollTimeoutMs: options.pollTimeoutMs,
      pollPolicy: options.pollPolicy,
      report,
      journal,
      logger: log,
      signal,
      now: options.now,
      sleep: options.sleep,
      onInputFiles: (f) => (files = f),
      onProgress: options.events?.onProgress,
      postImport: createPostImportStage(options.client, {
        verify: after.verify,
        verifyTimeoutMs: after.verifyTimeoutMs,
        updateExisting: after.updateExisting,
        sync: false, // one sync per job, after every file
        logger: log,
        signal,
        now: options.now,
        sleep: options.sleep,
        onStep: options.events?.onStep,
      }),
    });
    return { summary, error: files[0]?.error ?? null, key, report, resumed: opened.resumed };
  } finally {
    journal.close();
  }
}
