/**
 * An import as `import` and `demo` run it on this terminal: src/run's Graph client, stages and file import, with the
 * progress bar (or log lines), a line per after-import step and the cleanup's tail. The commands stay thin shells.
 */
import type { Logger } from "pino";
import type { AfterImportOptions, CleanupSettings } from "../after/options.js";
import { DEFAULT_WRITE_LIMIT } from "../after/write-pacer.js";
import type { FileSummary } from "../csv/types.js";
import type { GraphConfig } from "../graph/create.js";
import type { ImportSummary } from "../pipeline/types.js";
import { openGraph } from "../run/graph.js";
import { importFiles, type ImportFilesOptions, type ImportFilesResult } from "../run/import-files.js";
import { buildStages } from "../run/stages.js";
import type { CliContext } from "./context.js";
import type { CleanupRunsResult } from "../after/cleanup-runs.js";
import { StoppedAfterOutcomes } from "../pipeline/stopped-after-outcomes.js";
import { cleanupLeftovers, type LeftoversOptions } from "../run/leftovers.js";
import { cleanupProgressSink, cleanupStartLine } from "./output/cleanup.js";
import { syncWaitView } from "./output/sync-wait.js";
import { LOG_PROGRESS_MS, TTY_REDRAW_MS, startProgress, stepLine } from "./output/terminal.js";

export interface RunImportOptions extends Omit<ImportFilesOptions, "client" | "limiter" | "onProgress" | "logger" | "signal" | "postImport" | "cleanup"> {
  readonly graph: GraphConfig;
  readonly concurrency: number;
  readonly logger: Logger;
  /** The steps after polling (verify, update existing, sync); none when absent. */
  readonly after?: AfterImportOptions;
  /** The deletion of the run's staged records; none when absent or disabled. */
  readonly cleanup?: CleanupSettings;
  /** A sync an earlier run in this state directory could not trigger: this one triggers it. */
  readonly syncOwed?: boolean;
  /** Where earlier runs' leftover staged records are picked up, within what is left of the cleanup's time. */
  readonly leftovers?: Pick<LeftoversOptions, "stateDir" | "target" | "ownJournal">;
}

export interface RunImportResult extends ImportFilesResult {
  /** A signal came once every outcome was told (in the cleanup's remainder or the sync's wait): the summary is final. */
  readonly stoppedAfterOutcomes: boolean;
  /** The sync as told with the outcomes (a wait for its window may have changed it since). */
  readonly toldSync: ImportSummary["sync"];
  /** Earlier runs' staged records this run deleted or left (undefined: none were found, or there was no time). */
  readonly leftovers?: CleanupRunsResult;
}

/**
 * Runs the import with progress; the outcomes are told (onOutcomes) before the cleanup's remainder and a wait for the
 * sync's window. A signal after that ends the run with its summary, not as an interruption of the rows.
 */
export async function runImport(context: CliContext, options: RunImportOptions): Promise<RunImportResult> {
  const { graph: graphConfig, concurrency, logger, after, cleanup, leftovers: earlier, syncOwed, onOutcomes, ...rest } = options;
  const graph = openGraph(graphConfig, concurrency, { signal: context.signal, logger });
  const progress = startProgress(context, logger);
  const writeLimit = cleanup?.writeLimit ?? DEFAULT_WRITE_LIMIT;
  const tail = cleanupProgressSink(context.stderr, (fields, message) => logger.info(fields, message), writeLimit, {
    now: Date.now,
    everyMs: context.stderr.isTTY ? TTY_REDRAW_MS : LOG_PROGRESS_MS,
  });
  const syncView = syncWaitView(context.stderr, (fields, message) => logger.info(fields, message), { now: Date.now });
  const stages = buildStages(graph.client, { after, cleanup, logger, signal: context.signal, onStep: stepLine(context), onCleanupProgress: (p) => tail.update(p), syncView, syncOwed });
  let told: { summary: ImportSummary; files: readonly FileSummary[]; at: number } | undefined;
  try {
    const result = await importFiles({
      ...rest,
      client: graph.client,
      limiter: graph.limiter,
      logger,
      signal: context.signal,
      ...stages,
      onProgress: (snapshot) => progress.update(snapshot),
      // The outcomes first (the bar ends, the summary is printed), then the cleanup's remainder.
      onOutcomes: (summary: ImportSummary, files: readonly FileSummary[]) => {
        told = { summary, files, at: Date.now() };
        progress.finish();
        onOutcomes?.(summary, files);
        const left = stages.cleanup?.summary.remaining ?? 0;
        if (stages.cleanup && left > 0) context.stderr.write(`${cleanupStartLine(left, writeLimit, stages.cleanup.maxTimeMs)}\n`);
      },
    });
    progress.finish();
    // Time left of the cleanup's: for the staged records earlier runs left here.
    const own = stages.cleanup;
    const leftovers =
      earlier && own && told && result.summary.cleanup?.remaining === 0
        ? await cleanupLeftovers({ ...earlier, client: graph.client, maxTimeMs: told.at + own.maxTimeMs - Date.now(), writeLimit, logger, signal: context.signal, onProgress: (_, p) => tail.update(p) })
        : undefined;
    return { ...result, stoppedAfterOutcomes: context.signal.aborted, toldSync: told?.summary.sync ?? result.summary.sync, ...(leftovers ? { leftovers } : {}) };
  } catch (error) {
    progress.abandon();
    if (error instanceof StoppedAfterOutcomes && told) return { summary: error.summary, files: told.files, stoppedAfterOutcomes: true, toldSync: told.summary.sync };
    throw error;
  } finally {
    tail.end();
    graph.close();
  }
}
