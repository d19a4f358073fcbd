/**
 * importDevices: reads rows, submits valid devices in uploads while the input is still being read, polls them to a
 * final state with one poller, and writes one report row per input row. The CLI's `import` command is a thin shell.
 * With a journal, each step is recorded before it is taken, and a run an earlier process left unfinished is resumed:
 * its unconfirmed uploads reconciled, its staged devices polled, its outcomes reported, nothing sent twice.
 */
import { randomUUID } from "node:crypto";
import type { Readable } from "node:stream";
import { openDeviceReader } from "../csv/reader.js";
import type { FileSummary } from "../csv/types.js";
import { anySignal, abortError, sleep as realSleep } from "../graph/abort.js";
import { AdaptiveLimiter } from "../graph/adaptive-limit.js";
import type { GraphClient } from "../graph/client.js";
import { openReportWriter } from "../report/writer.js";
import type { ImportedDeviceIdentity } from "../graph/resources.js";
import type { DeviceIdentity, RowResult, SourceLocation } from "../model/device.js";
import { UploadBatcher } from "./batcher.js";
import { DEFAULT_BATCH_SIZE, DEFAULT_CONCURRENCY, DEFAULT_POLL_TIMEOUT_MS } from "./defaults.js";
import { graphStagedApi } from "./graph-staged-api.js";
import type { ImportJournal, JournaledRow, StagedRow } from "./journal-port.js";
import { isTerminal, verdictFor } from "./outcomes.js";
import { DEFAULT_INTERVAL_POLICY, type IntervalPolicy } from "./poll-strategy.js";
import { Poller, type PollOutcome } from "./poller.js";
import type { ProgressSnapshot } from "./progress.js";
import { rowForRejected, rowForTracked, rowForUnknownOutcome, rowForUnsubmitted } from "./report-rows.js";
import { resumeFromJournal } from "./resume.js";
import { probeService } from "./service-probe.js";
import { journalTraits } from "./service-traits-journal.js";
import { newCapabilities, type StagedApi } from "./staged-api.js";
import { submitUpload } from "./submitter.js";
import { SummaryCounter, assertSummaryInvariant } from "./summary.js";
import { importReportColumns } from "./report-columns.js";
import type {
  DeviceInputs,
  ImportReportRow,
  ImportSummary,
  PendingDevice,
  PostImportStage,
  StagedCleanupStage,
  SyncOutcome,
  TrackedDevice,
  Upload,
} from "./types.js";

/** Where report rows go; a row is written once and never changed. */
export interface ReportSink {
  write(row: ImportReportRow): void | Promise<void>;
  close(): Promise<void>;
}

/** The slice of a pino logger the pipeline uses. */
export interface PipelineLogger {
  info(fields: Record<string, unknown>, message: string): void;
  debug(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

/** Upload slots: the adaptive limiter (429s shrink it); pass the one given to the Graph client as throttleObserver. */
export interface UploadSlots {
  acquire(signal?: AbortSignal): Promise<() => void>;
}

export interface ImportDevicesOptions {
  /** CSV files ("-" for stdin) read with the streaming reader, or rows from anywhere (validated RowResults). */
  readonly input: readonly string[] | AsyncIterable<RowResult>;
  readonly stdin?: Readable;
  /** Directory relative input paths are resolved against. */
  readonly cwd?: string;
  /** With file inputs: called at the end with each file's facts (encoding, rows, or why it could not be read). */
  readonly onInputFiles?: (files: readonly FileSummary[]) => void;
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
  /** A report path (CSV, or JSON Lines for .jsonl) or a sink of rows. */
  readonly report?: string | ReportSink;
  readonly onRow?: (row: ImportReportRow) => void;
  /** Steps after polling (src/after: createPostImportStage): registration check, updating existing devices, sync. */
  readonly postImport?: PostImportStage;
  /**
   * Deletes this run's staged records once their outcome is journaled and reported (src/after: createStagedCleanup),
   * at the lowest priority; what is left when the report is complete is deleted until its time limit.
   */
  readonly cleanup?: StagedCleanupStage;
  /**
   * Called once every row has its outcome and the report is complete, before the cleanup's remainder runs: the
   * outcome counts are final here (the summary's `cleanup` is still null). Not called when the import fails.
   */
  readonly onOutcomes?: (summary: ImportSummary) => void;
  readonly onProgress?: (snapshot: ProgressSnapshot) => void;
  readonly logger?: PipelineLogger;
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

/** Graph's answer to an upload, gathered for the journal while it is submitted. */
interface UploadAnswerSoFar {
  readonly staged: StagedRow[];
  readonly rejected: SourceLocation[];
}

/** The statuses the reader gives itself again on a resume: never journaled. */
const rederived = (status: ImportReportRow["status"]): boolean => status === "invalid" || status === "duplicate";

/** Sync outcomes that touched the service: a resumed run reports them instead of triggering again. */
const syncTouchedService = (sync: SyncOutcome): boolean => sync.status !== "skipped" && sync.status !== "error";

const inputsOf = (device: DeviceIdentity): DeviceInputs => ({ groupTag: device.groupTag, assignedUserPrincipalName: device.assignedUserPrincipalName });

const locationKey = (location: { readonly file: string; readonly line: number }): string => `${location.line}:${location.file}`;

/** Per-upload bookkeeping until all its devices are final (for the upload's own status). */
interface UploadProgress {
  readonly upload: Upload;
  remaining: number;
  failed: number;
  readonly keys: Set<string>;
}

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
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? realSleep;
  const started = now();
  const limiter = options.limiter ?? new AdaptiveLimiter({ max: options.concurrency ?? DEFAULT_CONCURRENCY });
  const pollTimeoutMs = options.pollTimeoutMs ?? DEFAULT_POLL_TIMEOUT_MS;
  const log = options.logger;
  const requestsAtStart = api.requests;
  const journal = options.journal;
  const cleanup = options.cleanup;

  // One controller for the run: a fatal error anywhere stops reading, submitting and polling.
  const fatal = new AbortController();
  const signal = anySignal(options.signal, fatal.signal);
  let failure: unknown;
  const fail = (error: unknown): void => {
    if (failure === undefined) failure = error;
    if (!fatal.signal.aborted) fatal.abort(error);
  };

  const counter = new SummaryCounter();
  let readDone = false;
  const snapshot = (): ProgressSnapshot => ({
    read: counter.rows,
    readDone,
    valid: counter.valid,
    submitted: counter.submitted,
    completed: counter.finished,
    failed: counter.failed + counter.timedOut + counter.invalid + counter.duplicates,
  });

  const report: ReportSink | undefined =
    typeof options.report === "string" ? await openReportWriter(options.report, importReportColumns) : options.report;
  let writes: Promise<void> = Promise.resolve();
  /** Writes a row to the report; its outcome is journaled already, so once written its staged record may go. */
  const record = (row: ImportReportRow): void => {
    options.onRow?.(row);
    if (report) {
      writes = writes
        .then(() => report.write(row))
        .then(() => cleanup?.reported(row))
        .catch(fail);
    } else cleanup?.reported(row);
  };
  /** A row's outcome as polling (or the reader, or a rejection) left it; `journaled`: it came from the journal. */
  const emit = (row: ImportReportRow, inputs: DeviceInputs = {}, journaled = false): void => {
    counter.countOutcome(row.status);
    if (journal && !journaled && !rederived(row.status)) journal.rowOutcome(row, "polled");
    // A row the after-import stage will finish is written when the stage gives it back.
    if (!options.postImport?.take(row, inputs)) record(row);
    options.onProgress?.(snapshot());
  };

  // Keyed by every importId an upload's devices carry (with the uploads resource, each submission has its own).
  const uploads = new Map<string, UploadProgress>();
  const settleDevice = (importId: string, failed: boolean): void => {
    const entry = uploads.get(importId);
    if (!entry) return;
    entry.remaining -= 1;
    if (failed) entry.failed += 1;
    if (entry.remaining > 0) return;
    for (const key of entry.keys) uploads.delete(key);
    entry.upload.status = entry.failed > 0 ? "error" : "complete";
    log?.debug({ uploadId: entry.upload.id, status: entry.upload.status, devices: entry.upload.size, failed: entry.failed }, "upload finished");
  };
  const progressFor = (upload: Upload, importId: string): void => {
    let entry = uploads.get(upload.id);
    if (!entry) uploads.set(upload.id, (entry = { upload, remaining: upload.size, failed: 0, keys: new Set([upload.id]) }));
    entry.keys.add(importId);
    uploads.set(importId, entry);
  };

  const capabilities = newCapabilities(api.traits);
  const poller = new Poller({
    api,
    capabilities,
    policy: { ...DEFAULT_INTERVAL_POLICY, ...options.pollPolicy },
    pollTimeoutMs,
    now,
    sleep,
    signal,
    log: log ? (fields, message) => log.debug(fields, message) : undefined,
    onFinal: (device: TrackedDevice, outcome: PollOutcome) => {
      if (resumedDevices.delete(device)) finishResumed(device, rowForTracked(device, outcome));
      else {
        emit(rowForTracked(device, outcome), device);
        settleDevice(device.uploadId, outcome.status === "failed" || outcome.status === "timeout");
      }
    },
  });

  // Devices an earlier process staged, polled again here. Their CSV values (for the after-import steps) are known
  // once the reader reaches their row: one finished before that is journaled and reported when its row is read.
  const resumedDevices = new Set<TrackedDevice>();
  const readWhileInFlight = new Map<string, DeviceInputs>();
  const finishResumed = (device: TrackedDevice, row: ImportReportRow): void => {
    const key = locationKey(device);
    const inputs = readWhileInFlight.get(key);
    if (inputs === undefined) {
      journal?.rowOutcome(row, "polled");
      return;
    }
    readWhileInFlight.delete(key);
    emit(row, inputs);
  };
  /** A valid row the journal knows: reported from it, or left to the poller; never submitted again. */
  const fromJournal = (earlier: JournaledRow, location: SourceLocation, device: DeviceIdentity): void => {
    counter.submitted += 1;
    if (earlier.kind === "inFlight") readWhileInFlight.set(locationKey(location), inputsOf(device));
    else if (earlier.final) {
      counter.countFinal(earlier.row);
      record(earlier.row);
    } else emit(earlier.row, inputsOf(device), true);
    options.onProgress?.(snapshot());
  };

  const answers = new Map<Upload, UploadAnswerSoFar>();
  const onStaged = (upload: Upload, pending: PendingDevice, record: ImportedDeviceIdentity): void => {
    answers.get(upload)?.staged.push({ location: pending.location, serialNumber: pending.device.serialNumber, stagedId: record.id });
    // The upload's own id groups its devices, whatever importId the service stores (the uploads resource tags its own).
    const importId = api.api === "upload" && record.importId && record.importId !== record.id ? record.importId : upload.id;
    progressFor(upload, importId);
    const device: TrackedDevice = {
      file: pending.location.file,
      line: pending.location.line,
      serialNumber: pending.device.serialNumber,
      uploadId: importId,
      stagedId: record.id,
      stagedAt: now(),
      status: record.state?.deviceImportStatus ?? "unknown",
      misses: 0,
      groupTag: pending.device.groupTag,
      assignedUserPrincipalName: pending.device.assignedUserPrincipalName,
    };
    if (record.state && isTerminal(record.state.deviceImportStatus)) {
      poller.noteStaged();
      const verdict = verdictFor(record);
      emit(rowForTracked(device, verdict), device);
      settleDevice(importId, verdict.status === "failed");
    } else poller.track(device);
  };

  /** A device that ends failed without being staged: journaled with the upload's answer, final, never sent again. */
  const reportUnstaged = (upload: Upload, pending: PendingDevice, row: ImportReportRow): void => {
    answers.get(upload)?.rejected.push(pending.location);
    progressFor(upload, upload.id);
    emit(row);
    settleDevice(upload.id, true);
  };
  const onRejected = (upload: Upload, pending: PendingDevice, message: string): void =>
    reportUnstaged(upload, pending, rowForRejected(pending.location, pending.device.serialNumber, upload.id, message));
  const onUnknown = (upload: Upload, pending: PendingDevice): void =>
    reportUnstaged(upload, pending, rowForUnknownOutcome(pending.location, pending.device.serialNumber, upload.id));

  const submitterDeps = {
    api,
    capabilities,
    stagedEstimate: () => poller.stagedEstimate,
    onStaged,
    onRejected,
    onUnknown,
    sleep,
    reconcileDelayMs: options.reconcileDelayMs ?? 1_000,
    maxUnknownOutcomes: 5,
    log: log ? (fields: Record<string, unknown>, message: string) => log.warn(fields, message) : undefined,
    signal,
    // Durable before the first request: a crash after sending leaves the importId to reconcile by, never a blind resend.
    beforeSubmit: journal
      ? (upload: Upload) => {
          journal.uploadPlanned(upload);
          answers.set(upload, { staged: [], rejected: [] });
        }
      : undefined,
  };
  const journalAnswer = (upload: Upload): void => {
    const answer = answers.get(upload);
    if (!journal || !answer) return;
    answers.delete(upload);
    journal.uploadSubmitted(upload.id, { ...answer, notStaged: [], reconciled: false, stagedAt: now() });
  };

  // While the first upload fills: sign-in, permissions, the importId filter and the staged baseline (service-probe.ts).
  const ready = probeService({ api, capabilities, journal, signal, log: log ? (f, m) => log.info(f, m) : undefined });
  ready.catch(fail);

  const inFlight = new Set<Promise<void>>();
  /** Writes one submission sends (the uploads resource creates the upload first). */
  const writesPerUpload = api.api === "upload" ? 2 : 1;
  const dispatch = async (upload: Upload): Promise<void> => {
    // A submission waiting for its turn holds the cleanup's deletes back: they never delay it.
    const unhold = cleanup?.hold();
    let release: () => void;
    try {
      await ready;
      // Backpressure: do not read on until a slot is free, so at most ~concurrency+1 uploads hold hashes.
      release = await limiter.acquire(signal);
    } finally {
      unhold?.();
    }
    cleanup?.noteWrites(writesPerUpload);
    counter.uploads += 1;
    counter.submitted += upload.size;
    const task = submitUpload(upload, submitterDeps)
      .then(() => {
        journalAnswer(upload);
        upload.devices = []; // release the hashes: polling and the report need none
        log?.debug({ uploadId: upload.id, devices: upload.size }, "upload submitted");
        options.onProgress?.(snapshot());
      })
      .catch(fail)
      .finally(() => {
        release();
        inFlight.delete(task);
      });
    inFlight.add(task);
  };

  const pollerDone = poller.run().catch(fail);
  cleanup?.start({ journal, signal });
  const batcher = new UploadBatcher({ batchSize: options.batchSize ?? DEFAULT_BATCH_SIZE, newId: options.newId ?? randomUUID, now });
  try {
    if (journal) {
      options.postImport?.resumed?.({ imported: journal.earlier.imported, sync: journal.earlier.sync });
      counter.uploads += journal.earlier.uploads;
      if (journal.resumed) {
        await ready;
        const resumed = await resumeFromJournal({ ...submitterDeps, journal, now, reconcileNotBefore: started + submitterDeps.reconcileDelayMs, log: log ? (f, m) => log.info(f, m) : undefined });
        counter.uploads += resumed.reconciledUploads;
        for (const device of resumed.devices) {
          resumedDevices.add(device);
          poller.track(device);
        }
        log?.info({ inFlight: resumed.devices.length, reconciledUploads: resumed.reconciledUploads }, "resuming the run from its journal");
      }
    }
    const rows = isFileList(options.input) ? readFiles(options, options.input, signal) : options.input;
    for await (const row of rows) {
      if (failure !== undefined) break;
      if (signal.aborted) throw abortError(signal);
      counter.countRow(row.status);
      if (row.status !== "valid") {
        emit(rowForUnsubmitted(row));
        continue;
      }
      const earlier = journal?.lookup(row.location, row.device.serialNumber);
      if (earlier) {
        fromJournal(earlier, row.location, row.device);
        continue;
      }
      const upload = batcher.add({ location: row.location, device: row.device });
      if (upload) await dispatch(upload);
      else options.onProgress?.(snapshot());
    }
    if (failure === undefined) {
      const last = batcher.flush();
      if (last) await dispatch(last);
    }
    readDone = true;
    journal?.inputRead(counter);
    log?.info({ rows: counter.rows, valid: counter.valid, uploads: counter.uploads }, "input read");
    await Promise.all(inFlight);
    poller.close();
    await pollerDone;
  } catch (error) {
    fail(error);
  } finally {
    poller.close();
  }
  await Promise.allSettled([...inFlight, pollerDone]);
  let sync: SyncOutcome | null = null;
  if (options.postImport) {
    // After a failure the held rows come back unchanged: every row still reaches the report.
    const ok = failure === undefined;
    // The after-import steps finish the report: deletes wait for them.
    const unhold = cleanup?.hold();
    const after = await options.postImport.complete(ok, signal).finally(() => unhold?.());
    const done = ok && after.error === undefined;
    for (const { row, polledStatus } of after.rows) {
      counter.countFinished(row, polledStatus);
      record(row);
      if (done) journal?.rowOutcome(row, "final");
    }
    sync = after.sync;
    if (done && journal && !journal.earlier.sync && syncTouchedService(sync)) journal.syncOutcome(sync);
    if (after.error !== undefined) fail(after.error);
  }
  // Stopped early: rows an earlier process finished that the reader did not reach still belong in this report.
  if (failure !== undefined && journal) for (const row of journal.unreported()) record(row);
  await writes;
  if (report) await report.close().catch(fail);
  if (failure !== undefined) {
    await cleanup?.finish(false, signal);
    journal?.flush();
    throw failure;
  }

  options.onProgress?.(snapshot());
  const summary = counter.toSummary(api.requests - requestsAtStart, now() - started, sync);
  assertSummaryInvariant(summary);
  journal?.finished(summary);
  log?.info({ summary, poller: poller.stats }, "import finished");
  // The outcomes are final and the report complete: said first; then what is left of the cleanup runs.
  options.onOutcomes?.(summary);
  if (!cleanup) return summary;
  const cleaned = await cleanup.finish(true, signal);
  // A signal during the cleanup: the journal holds every deletion so far; the same command (or `cleanup`) goes on.
  if (signal.aborted) throw abortError(signal);
  return { ...summary, cleanup: cleaned };
}

function isFileList(input: ImportDevicesOptions["input"]): input is readonly string[] {
  return Array.isArray(input);
}

async function* readFiles(options: ImportDevicesOptions, files: readonly string[], signal: AbortSignal): AsyncIterable<RowResult> {
  const reader = openDeviceReader(files, { stdin: options.stdin, signal, cwd: options.cwd });
  try {
    yield* reader.rows();
  } finally {
    options.onInputFiles?.(reader.files);
  }
}
