/**
 * What the `import` and `demo` commands share: logger and progress for this terminal, the Graph client, the run,
 * and the closing summary. Kept out of the commands so each stays a thin shell.
 */
import type { Logger } from "pino";
import { createStagedCleanup } from "../after/cleanup.js";
import { createPostImportStage } from "../after/post-import.js";
import { DEFAULT_WRITE_LIMIT } from "../after/write-pacer.js";
import type { FileSummary } from "../csv/types.js";
import { AdaptiveLimiter } from "../graph/adaptive-limit.js";
import { createGraphClient, type GraphConfig } from "../graph/create.js";
import { createLogger, type LogLevel } from "../log.js";
import { importDevices, type ImportDevicesOptions } from "../pipeline/import-devices.js";
import { logProgress, ttyProgress, type ProgressSink, type ProgressSnapshot } from "../pipeline/progress.js";
import { formatSummary } from "../pipeline/summary.js";
import type { ImportSummary } from "../pipeline/types.js";
import type { CliContext } from "./context.js";
import type { CleanupConfig } from "./cleanup-options.js";
import { cleanupProgressSink, cleanupStartLine } from "./cleanup-output.js";
import type { AfterImportConfig, AuthConfig } from "./import-config.js";

/** Redraws per second on a terminal, and seconds between progress log lines otherwise. */
const TTY_REDRAW_MS = 200;
const LOG_PROGRESS_MS = 10_000;

/**
 * The run's logger. On a terminal without --log-file, JSON lines would tear the progress bar, so only errors reach
 * stderr there; off a terminal (containers, schedulers) the logs are the progress.
 */
export function loggerFor(context: CliContext, level: LogLevel, file: string | undefined): Logger {
  if (file) return createLogger({ level, file });
  const quiet = context.stderr.isTTY === true && level !== "silent" ? "error" : level;
  return createLogger({ level: quiet, destination: context.stderr });
}

export function progressFor(context: CliContext, logger: Logger): ProgressSink {
  return context.stderr.isTTY
    ? ttyProgress((text) => context.stderr.write(text), { now: Date.now, everyMs: TTY_REDRAW_MS })
    : logProgress((fields, message) => logger.info(fields, message), { now: Date.now, everyMs: LOG_PROGRESS_MS });
}

/** The Graph client's configuration from the command's authentication settings. */
export function graphConfigFor(auth: AuthConfig, concurrency: number): GraphConfig {
  return {
    method: auth.managedIdentity ? "managedIdentity" : "auto",
    tenantId: auth.tenantId,
    clientId: auth.clientId,
    clientSecret: auth.clientSecret,
    certificatePath: auth.certificatePath,
    certificatePassword: auth.certificatePassword,
    federatedTokenFile: auth.federatedTokenFile,
    managedIdentityClientId: typeof auth.managedIdentity === "string" ? auth.managedIdentity : undefined,
    cloud: auth.cloud,
    graphUrl: auth.graphUrl,
    authorityHost: auth.authorityHost,
    caCertificate: auth.caCertificate,
    proxy: auth.proxyUrl ? { url: auth.proxyUrl, noProxy: auth.noProxy } : undefined,
    // Uploads in flight, the poller and a token request, with room to spare.
    maxSockets: concurrency + 4,
  };
}

export interface RunImportOptions
  extends Omit<ImportDevicesOptions, "client" | "limiter" | "onProgress" | "logger" | "signal" | "onInputFiles" | "postImport" | "cleanup" | "onOutcomes"> {
  readonly graph: GraphConfig;
  readonly concurrency: number;
  readonly logger: Logger;
  /** The steps after polling (verify, update existing, sync); none when absent. */
  readonly after?: AfterImportConfig;
  /** The deletion of the run's staged records; none when absent or disabled. */
  readonly cleanup?: CleanupConfig;
  /** The outcomes are final and the report complete (the progress bar has ended): before the cleanup's remainder. */
  readonly onOutcomes?: (summary: ImportSummary, files: readonly FileSummary[]) => void;
}

export interface RunImportResult {
  readonly summary: ImportSummary;
  readonly files: readonly FileSummary[];
}

/** One run's progress on this terminal or in the log; `finish` draws the end, `abandon` ends a bar cut short. */
export interface RunProgress {
  update(snapshot: ProgressSnapshot): void;
  finish(): void;
  abandon(): void;
}

/** Progress with a ticker: long quiet stretches (devices processing) still get a line every interval. */
export function startProgress(context: CliContext, logger: Logger): RunProgress {
  const sink = progressFor(context, logger);
  let last: ProgressSnapshot | undefined;
  // The sink decides when a line is due.
  const ticker = setInterval(() => last && sink.update(last), context.stderr.isTTY ? 1_000 : LOG_PROGRESS_MS);
  ticker.unref();
  return {
    update(snapshot) {
      last = snapshot;
      sink.update(snapshot);
    },
    finish() {
      clearInterval(ticker);
      if (last) sink.finish(last);
    },
    abandon() {
      clearInterval(ticker);
      if (last && context.stderr.isTTY) context.stderr.write("\n");
    },
  };
}

/** Builds the client and limiter, runs importDevices with progress, and always closes the client. */
export async function runImport(context: CliContext, options: RunImportOptions): Promise<RunImportResult> {
  const { graph, concurrency, logger, after, cleanup, onOutcomes, ...rest } = options;
  const limiter = new AdaptiveLimiter({ max: concurrency });
  const client = createGraphClient(graph, { signal: context.signal, logger, throttleObserver: limiter });
  const progress = startProgress(context, logger);
  let files: readonly FileSummary[] = [];
  let barDone = false;
  const endBar = (): void => {
    if (!barDone) progress.finish();
    barDone = true;
  };
  const writeLimit = cleanup?.writeLimit ?? DEFAULT_WRITE_LIMIT;
  const tail = cleanupProgressSink(context.stderr, (fields, message) => logger.info(fields, message), writeLimit, {
    now: Date.now,
    everyMs: context.stderr.isTTY ? TTY_REDRAW_MS : LOG_PROGRESS_MS,
  });
  const stage = cleanup?.enabled
    ? createStagedCleanup(client, { writeLimit, maxTimeMs: cleanup.maxTimeMs, logger, signal: context.signal, onProgress: (p) => tail.update(p) })
    : undefined;
  try {
    const summary = await importDevices({
      ...rest,
      client,
      limiter,
      logger,
      signal: context.signal,
      onInputFiles: (f) => (files = f),
      ...(after ? { postImport: createPostImportStage(client, { ...postImportOptions(after), logger, signal: context.signal, onStep: stepLine(context) }) } : {}),
      onProgress: (snapshot) => progress.update(snapshot),
      ...(stage ? { cleanup: stage } : {}),
      // The outcomes first (the bar ends, the summary is printed), then the cleanup's remainder.
      onOutcomes: (summary) => {
        endBar();
        onOutcomes?.(summary, files);
        const left = stage?.summary.remaining ?? 0;
        if (stage && left > 0) context.stderr.write(`${cleanupStartLine(left, writeLimit, stage.maxTimeMs)}\n`);
      },
    });
    endBar();
    return { summary, files };
  } catch (error) {
    if (!barDone) progress.abandon();
    throw error;
  } finally {
    tail.end();
    client.close();
  }
}

/** On a terminal, each after-import step gets a line above the progress bar (elsewhere the log has it). */
export function stepLine(context: CliContext): ((message: string) => void) | undefined {
  return context.stderr.isTTY ? (message) => context.stderr.write(`\r\x1b[2K${message}\n`) : undefined;
}

function postImportOptions(after: AfterImportConfig) {
  return {
    verify: after.verify,
    verifyTimeoutMs: after.verifyTimeoutMs,
    updateExisting: after.updateExisting,
    sync: after.sync,
    syncWait: after.syncWait,
    syncMaxWaitMs: after.syncMaxWaitMs,
  };
}

/** Lines naming each input file that could not be read (its rows were not imported). */
export function fileErrors(files: readonly FileSummary[]): string[] {
  return files.filter((f) => f.error !== null).map((f) => `autopilot-import: ${f.path}: ${f.error} (nothing from this file was imported)`);
}

/** The outcome lines on stderr: said as soon as the outcomes are final (before the cleanup's remainder). */
export function printOutcomes(context: CliContext, summary: ImportSummary, reportPath: string): void {
  context.stderr.write(formatSummary(summary));
  context.stderr.write(`report: ${reportPath}\n`);
}

/** The one JSON object on stdout (--json); `cleanup` is {"deleted","remaining"}, or null without a cleanup. */
export function printJson(context: CliContext, summary: ImportSummary): void {
  const { rows, valid, invalid, duplicates, submitted, imported, alreadyRegistered, updated, failed, timedOut, registered, uploads, requests, durationMs, sync } = summary;
  const cleanup = summary.cleanup ? { deleted: summary.cleanup.deleted, remaining: summary.cleanup.remaining } : null;
  const object = { rows, valid, invalid, duplicates, submitted, imported, alreadyRegistered, updated, failed, timedOut, registered, uploads, requests, durationMs, sync, cleanup };
  context.stdout.write(`${JSON.stringify(object)}\n`);
}
