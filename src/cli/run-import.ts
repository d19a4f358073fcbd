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
import { cleanupProgressSink, cleanupStartLine } from "./output/cleanup.js";
import { LOG_PROGRESS_MS, TTY_REDRAW_MS, startProgress, stepLine } from "./output/terminal.js";

export interface RunImportOptions extends Omit<ImportFilesOptions, "client" | "limiter" | "onProgress" | "logger" | "signal" | "postImport" | "cleanup"> {
  readonly graph: GraphConfig;
  readonly concurrency: number;
  readonly logger: Logger;
  /** The steps after polling (verify, update existing, sync); none when absent. */
  readonly after?: AfterImportOptions;
  /** The deletion of the run's staged records; none when absent or disabled. */
  readonly cleanup?: CleanupSettings;
}

/** Runs the import with progress; the outcomes are told (onOutcomes) before the cleanup's remainder starts. */
export async function runImport(context: CliContext, options: RunImportOptions): Promise<ImportFilesResult> {
  const { graph: graphConfig, concurrency, logger, after, cleanup, onOutcomes, ...rest } = options;
  const graph = openGraph(graphConfig, concurrency, { signal: context.signal, logger });
  const progress = startProgress(context, logger);
  const writeLimit = cleanup?.writeLimit ?? DEFAULT_WRITE_LIMIT;
  const tail = cleanupProgressSink(context.stderr, (fields, message) => logger.info(fields, message), writeLimit, {
    now: Date.now,
    everyMs: context.stderr.isTTY ? TTY_REDRAW_MS : LOG_PROGRESS_MS,
  });
  const stages = buildStages(graph.client, { after, cleanup, logger, signal: context.signal, onStep: stepLine(context), onCleanupProgress: (p) => tail.update(p) });
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
        progress.finish();
        onOutcomes?.(summary, files);
        const left = stages.cleanup?.summary.remaining ?? 0;
        if (stages.cleanup && left > 0) context.stderr.write(`${cleanupStartLine(left, writeLimit, stages.cleanup.maxTimeMs)}\n`);
      },
    });
    progress.finish();
    return result;
  } catch (error) {
    progress.abandon();
    throw error;
  } finally {
    tail.end();
    graph.close();
  }
}
