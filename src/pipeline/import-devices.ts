/**
 * importDevices: takes validated rows, submits valid devices in uploads while the rows are still being read, polls
 * them to a final state with one poller, and reports one row per input row. The parts are named collaborators: the
 * dispatcher sends uploads, the poller follows staged devices, the recorder reports rows, resume.ts settles what an
 * earlier process of the run left. With a journal each step is recorded before it is taken; nothing is sent twice.
 * Files and report paths are src/run's business (importFiles); this works on rows and a sink.
 */
import { randomUUID } from "node:crypto";
import { AdaptiveLimiter } from "../graph/adaptive-limit.js";
import type { GraphClient } from "../graph/client.js";
import type { RowResult } from "../model/device.js";
import { anySignal, sleep as realSleep, untilAborted } from "../util/abort.js";
import type { Logger } from "../util/logger.js";
import { UploadBatcher } from "./batcher.js";
import { DEFAULT_BATCH_SIZE, DEFAULT_CONCURRENCY, DEFAULT_POLL_TIMEOUT_MS } from "./defaults.js";
import { graphStagedApi } from "./graph-staged-api.js";
import type { ImportJournal } from "./journal-port.js";
import { DEFAULT_INTERVAL_POLICY, type IntervalPolicy } from "./poll-strategy.js";
import { Poller } from "./poller.js";
import type { ProgressSnapshot } from "./progress.js";
import { ReportRecorder, type ReportSink } from "./report-recorder.js";
import { rowForTracked, rowForUnsubmitted } from "./report-rows.js";
import { ResumedRows, resumeFromJournal } from "./resume.js";
import { probeService } from "./service-probe.js";
import { journalTraits } from "./service-traits-journal.js";
import { newCapabilities, type StagedApi } from "./staged-api.js";
import { SummaryCounter, assertSummaryInvariant } from "./summary.js";
import { stoppedAfterOutcomes } from "./stopped-after-outcomes.js";
import type { ImportReportRow, ImportSummary, PostImportCompletion, PostImportStage, StagedCleanupStage, SyncOutcome } from "./types.js";
import { UploadDispatcher, type UploadSlots } from "./upload-dispatcher.js";
import { UploadTracker } from "./upload-tracker.js";

export type { ReportSink } from "./report-recorder.js";
export type { UploadSlots } from "./upload-dispatcher.js";

export interface ImportDevicesOptions {
  /** Validated rows in input order (src/run's importFiles reads them from files with the streaming reader). */
  readonly rows: AsyncIterable<RowResult>;
  /** Where report rows go (src/report's writer for a file). */
  readonly report?: ReportSink;
  readonly onRow?: (row: ImportReportRow) => void;
  /** Every row's outcome once, as polling (or the reader, or the journal of a resumed run) gives it. */
  readonly onOutcome?: (row: ImportReportRow) => void;
  /** The Graph client (helper factories in src/graph); or `stagedApi` to supply the service port directly. */
  readonly client?: GraphClient;
  readonly stagedApi?: StagedApi;
  /** "import" (default): the import action; "upload": the beta uploads resource. */
  readonly api?: "import" | "upload";
  readonly batchSize?: number;
  /** Most uploads in flight (when no `limiter` is given). */
  readonly concurrency?: number;
  /** Upload slots; default a fixed AdaptiveLimiter of `concurrency` (give the client's throttle observer to adapt). */
  readonly limiter?: UploadSlots;
  /** How long a device may stay in progress after staging before it is reported `timeout`. */
  readonly pollTimeoutMs?: number;
  readonly pollPolicy?: Partial<IntervalPolicy>;
  /** Steps after polling (src/after: createPostImportStage): registration check, updating existing devices, sync. */
  readonly postImport?: PostImportStage;
  /**
   * Deletes this run's staged records once their outcome is journaled and reported (src/after: createStagedCleanup),
   * at the lowest priority; what is left when the report is complete is deleted until its time limit.
   */
  readonly cleanup?: StagedCleanupStage;
  /**
   * Called once every row has its outcome and the report is complete, before the cleanup's remainder runs: the
   * outcome counts are final here (the summary's `cleanup` is still null; its `sync` may say a wait for the sync's
   * window follows, after the cleanup's remainder). Not called when the import fails. A signal after it ends the run
   * with a StoppedAfterOutcomes error that carries the summary.
   */
  readonly onOutcomes?: (summary: ImportSummary) => void;
  readonly onProgress?: (snapshot: ProgressSnapshot) => void;
  readonly logger?: Logger;
  readonly signal?: AbortSignal;
  readonly now?: () => number;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly newId?: () => string;
  /** Wait before reconciling an unknown-outcome submission (default 1 s); also how long after starting a resumed run reconciles. */
  readonly reconcileDelayMs?: number;
  /**
   * The run's journal (src/state): steps are recorded ahead, and what an earlier process of the same run left is
   * resumed. Rows are matched by file name (as the reader reports it), line and serial number.
   */
  readonly journal?: ImportJournal;
}

/** Sync outcomes that touched the service: a resumed run reports them instead of triggering again. */
const syncTouchedService = (sync: SyncOutcome): boolean => sync.status !== "skipped" && sync.status !== "error";

export async function importDevices(options: ImportDevicesOptions): Promise<ImportSummary> {
  const api = options.stagedApi ?? (options.client ? graphStagedApi(options.client, options.api ?? "import") : undefined);
  if (!api) throw new TypeError("importDevices needs a Graph client (options.client) or options.stagedApi");
  // Whatever the run learns of the service, up to its last step, reaches the journal.
  const stopJournalingTraits = options.journal ? journalTraits(api.traits, options.journal) : undefined;
  try {
    return await runImport(options, api);
  } finally {
    stopJournalingTraits?.();
  }
}

async function runImport(options: ImportDevicesOptions, api: StagedApi): Promise<ImportSummary> {
  const { journal, cleanup, postImport, logger: log } = options;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? realSleep;
  const started = now();
  const requestsAtStart = api.requests;
  // One controller for the run: a fatal error anywhere stops reading, submitting and polling.
  const fatal = new AbortController();
  const signal = anySignal(options.signal, fatal.signal);
  let failure: unknown;
  const fail = (error: unknown): void => {
    if (failure === undefined) failure = error;
    if (!fatal.signal.aborted) fatal.abort(error);
  };

  const counter = new SummaryCounter();
  const recorder = new ReportRecorder({ counter, report: options.report, onRow: options.onRow, onOutcome: options.onOutcome, journal, postImport, cleanup, onProgress: options.onProgress, fail });
  const tracker = new UploadTracker(log);
  const resumed = journal ? new ResumedRows(journal, counter, recorder) : undefined;
  const capabilities = newCapabilities(api.traits);
  const poller = new Poller({
    api,
    capabilities,
    policy: { ...DEFAULT_INTERVAL_POLICY, ...options.pollPolicy },
    pollTimeoutMs: options.pollTimeoutMs ?? DEFAULT_POLL_TIMEOUT_MS,
    now,
    sleep,
    signal,
    log: log ? (fields, message) => log.debug(fields, message) : undefined,
    onFinal: (device, outcome) => {
      const row = rowForTracked(device, outcome);
      if (resumed?.finish(device, row)) return;
      recorder.emit(row, device);
      tracker.settle(device.uploadId, outcome.status === "failed" || outcome.status === "timeout");
    },
  });
  // While the first upload fills: sign-in, permissions, the importId filter and the staged baseline (service-probe.ts).
  const ready = probeService({ api, capabilities, journal, signal, log: log ? (f, m) => log.info(f, m) : undefined });
  ready.catch(fail);
  const reconcileDelayMs = options.reconcileDelayMs ?? 1_000;
  const limiter = options.limiter ?? new AdaptiveLimiter({ max: options.concurrency ?? DEFAULT_CONCURRENCY });
  const dispatcher = new UploadDispatcher({ api, capabilities, poller, tracker, recorder, counter, limiter, ready, journal, cleanup, signal, fail, now, sleep, reconcileDelayMs, log });

  const pollerDone = poller.run().catch(fail);
  cleanup?.start({ journal, signal });
  const batcher = new UploadBatcher({ batchSize: options.batchSize ?? DEFAULT_BATCH_SIZE, newId: options.newId ?? randomUUID, now });
  try {
    if (journal) {
      postImport?.resumed?.({ imported: journal.earlier.imported, sync: journal.earlier.sync });
      counter.uploads += journal.earlier.uploads;
      if (journal.resumed) {
        await ready;
        const earlier = await resumeFromJournal({ ...dispatcher.deps, journal, now, reconcileNotBefore: started + reconcileDelayMs, log: log ? (f, m) => log.info(f, m) : undefined });
        counter.uploads += earlier.reconciledUploads;
        for (const device of earlier.devices) {
          resumed?.track(device);
          poller.track(device);
        }
        log?.info({ inFlight: earlier.devices.length, reconciledUploads: earlier.reconciledUploads }, "resuming the run from its journal");
      }
    }
    for await (const row of untilAborted(options.rows, signal)) {
      counter.countRow(row.status);
      if (row.status !== "valid") recorder.emit(rowForUnsubmitted(row));
      else if (resumed?.read(row.location, row.device)) continue;
      else {
        const upload = batcher.add({ location: row.location, device: row.device });
        if (upload) await dispatcher.dispatch(upload);
        else recorder.progress();
      }
    }
    const last = batcher.flush();
    if (last) await dispatcher.dispatch(last);
    recorder.readDone = true;
    journal?.inputRead(counter);
    log?.info({ rows: counter.rows, valid: counter.valid, uploads: counter.uploads }, "input read");
    await dispatcher.drain();
    poller.close();
    await pollerDone;
  } catch (error) {
    fail(error);
  } finally {
    poller.close();
  }
  await Promise.allSettled([dispatcher.drain(), pollerDone]);
  let syncLater: PostImportCompletion["syncLater"];
  const sync = postImport ? await completeAfterImport(postImport, failure === undefined) : null;
  // Stopped early: rows an earlier process finished that the reader did not reach still belong in this report.
  if (failure !== undefined && journal) for (const row of journal.unreported()) recorder.record(row);
  await recorder.close();
  if (failure !== undefined) {
    await cleanup?.finish(false, signal);
    journal?.flush();
    throw failure;
  }

  recorder.progress();
  const summary = counter.toSummary(api.requests - requestsAtStart, now() - started, sync);
  assertSummaryInvariant(summary);
  journal?.finished(summary);
  log?.info({ summary, poller: poller.stats }, "import finished");
  // The outcomes are final and the report complete: said first; then what is left of the cleanup, then a sync's wait
  // for its 10-minute window (its time is fixed: the cleanup's remainder takes none of it).
  options.onOutcomes?.(summary);
  const cleaned = cleanup ? await cleanup.finish(true, signal) : null;
  const finalSync = syncLater && !signal.aborted ? await syncLater(signal) : sync;
  if (finalSync && finalSync !== sync && journal && syncTouchedService(finalSync)) journal.syncOutcome(finalSync);
  const result: ImportSummary = { ...summary, sync: finalSync, cleanup: cleaned };
  // A signal now: every row is final and reported; the journal holds every deletion so far (`cleanup` goes on).
  if (signal.aborted) throw stoppedAfterOutcomes(signal, result);
  return result;

  /** The after-import steps finish the rows they held (after a failure they come back unchanged): deletes wait. */
  async function completeAfterImport(stage: PostImportStage, ok: boolean): Promise<SyncOutcome> {
    const unhold = cleanup?.hold();
    const after = await stage.complete(ok, signal).finally(() => unhold?.());
    const done = ok && after.error === undefined;
    if (done) syncLater = after.syncLater;
    for (const { row, polledStatus } of after.rows) {
      counter.countFinished(row, polledStatus);
      recorder.record(row);
      if (done) journal?.rowOutcome(row, "final");
    }
    if (done && journal && !journal.earlier.sync && syncTouchedService(after.sync)) journal.syncOutcome(after.sync);
    if (after.error !== undefined) fail(after.error);
    return after.sync;
  }
}
