/**
 * One inbox file: its own run and journal, the report written in the state directory's work folder, the after-import
 * steps as `import` runs them but without the sync (the job syncs once at its end), and the cleanup of its staged
 * records when asked for. The file is moved as soon as every row has its outcome and the report is complete, so the
 * cleanup's remainder never delays the move; its journal is archived once the import has returned. The import reads
 * the file by its private name (src/inbox/pick-up.ts); right before the move, the inbox name is checked to hold still
 * what was imported: a file changed or deleted meanwhile never goes to done/.
 */
import path from "node:path";
import type { WritePacer } from "../after/write-pacer.js";
import { importFiles } from "../run/import-files.js";
import { archiveRunJournal, openRunJournal } from "../run/journal.js";
import { buildStages } from "../run/stages.js";
import { moveOut } from "./finish-file.js";
import type { InboxLayout } from "./layout.js";
import { retirePlan } from "./move.js";
import { changeSince, releasePicked, type PickedFile } from "./pick-up.js";
import type { InboxFile } from "./scan.js";
import type { InboxFileResult, InboxJobOptions } from "./types.js";

export interface FileContext {
  readonly layout: InboxLayout;
  readonly signal: AbortSignal;
  readonly now: () => number;
  /** One write budget for the cleanups of all the job's files (one app, one tenant). */
  readonly pacer: WritePacer | undefined;
}

export interface ProcessedFile {
  readonly result: InboxFileResult;
  /** The job was stopped after the file was moved (during the cleanup): it stops here. */
  readonly stoppedBy: unknown;
}

/** Thrown when the file's import stops before its move; `journaled` when its journal was opened (the next job continues it). */
export class FileStopped extends Error {
  constructor(
    override readonly cause: unknown,
    readonly journaled: boolean,
  ) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
  }
}

/** Imports and moves one file, read by its private name; throws FileStopped (journal flushed and closed, the file in the inbox) when it stops before the move. */
export async function processInboxFile(file: InboxFile, picked: PickedFile, options: InboxJobOptions, context: FileContext): Promise<ProcessedFile> {
  try {
    return await importAndMove(file, picked, options, context);
  } finally {
    await releasePicked(picked);
  }
}

async function importAndMove(file: InboxFile, picked: PickedFile, options: InboxJobOptions, context: FileContext): Promise<ProcessedFile> {
  const { layout, signal, now } = context;
  const log = options.logger;
  const format = options.reportFormat ?? "csv";
  const opened = await openRunJournal({ stateDir: layout.stateDir, files: [file.name], cwd: picked.dir, target: options.target, signal, now }).catch((error: unknown) => {
    throw new FileStopped(error, false);
  });
  const { journal, key } = opened;
  if (opened.damage.tornBytes > 0 || opened.damage.damaged > 0) log?.warn({ file: file.name, journal: opened.file, ...opened.damage }, "journal damage skipped");
  log?.info({ file: file.name, run: key, journal: opened.file, resumed: opened.resumed, finished: journal.state.finished !== undefined }, opened.resumed ? "resuming file" : "importing file");
  const report = path.join(layout.work, `${key}.report.${format}`);
  const runtime = { logger: log, signal, now: options.now, sleep: options.sleep };
  let moved: { result: InboxFileResult; planFile: string | undefined } | undefined;
  let moveError: unknown;
  let stoppedBy: unknown;
  try {
    const imported = await importFiles({
      files: [file.name],
      cwd: picked.dir,
      reportPath: report,
      ...(options.reportDelimiter ? { reportDelimiter: options.reportDelimiter } : {}),
      ...(options.overrides ? { overrides: options.overrides } : {}),
      client: options.client,
      limiter: options.limiter,
      api: options.api,
      batchSize: options.batchSize,
      pollTimeoutMs: options.pollTimeoutMs,
      pollPolicy: options.pollPolicy,
      journal,
      ...runtime,
      onProgress: options.events?.onProgress,
      // One sync per job, after every file.
      ...buildStages(options.client, { after: options.after, syncElsewhere: true, cleanup: options.cleanup, pacer: context.pacer, onStep: options.events?.onStep, ...runtime }),
      // Every outcome is final and the report complete: the file leaves now, before the cleanup's remainder.
      onOutcomes: (outcomes, files) => {
        try {
          const change = changeSince(file.path, picked, key, options.target);
          moved = moveOut(file, { summary: outcomes, error: files[0]?.error ?? null, key, report, resumed: opened.resumed, change }, { layout, format, sync: options.after.sync, now });
        } catch (error) {
          moveError = error;
        }
      },
    }).catch((error: unknown) => {
      if (!moved) throw new FileStopped(error, true);
      stoppedBy = error; // stopped during the cleanup: the file is out, the job stops
      return undefined;
    });
    if (moveError !== undefined) throw new FileStopped(moveError, true);
    if (!moved) throw new FileStopped(new Error(`the import returned without reporting the outcomes of ${file.name}`), true);
    const result: InboxFileResult = imported ? { ...moved.result, summary: imported.summary } : moved.result;
    // Nothing appends to the journal any more: archive it (a rename of a closed file, fine on SMB shares too).
    journal.close();
    if (moved.planFile === undefined) return { result, stoppedBy }; // not moved: plan and journal stay for the next job
    try {
      retirePlan(moved.planFile, () => archiveRunJournal(layout.stateDir, key, now()));
    } catch (error) {
      // The file is out; the plan stays and the next job retires it.
      return { result, stoppedBy: stoppedBy ?? error };
    }
    return { result, stoppedBy };
  } finally {
    journal.close();
  }
}
