/**
 * Sends uploads as the reader fills them: each waits for the service probe and a free slot (backpressure: the reader
 * does not go on meanwhile, so at most ~concurrency+1 uploads hold hashes), is journaled before its first request and
 * with Graph's answer after it, and hands each device on: staged devices to the poller, final ones to the report.
 */
import type { ImportedDeviceIdentity } from "../graph/resources.js";
import type { SourceLocation } from "../model/device.js";
import type { Logger } from "../util/logger.js";
import type { ImportJournal, StagedRow } from "./journal-port.js";
import { isTerminal, verdictFor } from "./outcomes.js";
import type { Poller } from "./poller.js";
import type { ReportRecorder } from "./report-recorder.js";
import { rowForRejected, rowForTracked, rowForUnknownOutcome } from "./report-rows.js";
import type { ServiceCapabilities, StagedApi } from "./staged-api.js";
import { submitUpload, type SubmitterDeps } from "./submitter.js";
import type { SummaryCounter } from "./summary.js";
import type { ImportReportRow, PendingDevice, StagedCleanupStage, TrackedDevice, Upload } from "./types.js";
import type { UploadTracker } from "./upload-tracker.js";

/** Upload slots: the adaptive limiter (429s shrink it); pass the one given to the Graph client as throttleObserver. */
export interface UploadSlots {
  acquire(signal?: AbortSignal): Promise<() => void>;
}

export interface UploadDispatcherOptions {
  readonly api: StagedApi;
  readonly capabilities: ServiceCapabilities;
  readonly poller: Poller;
  readonly tracker: UploadTracker;
  readonly recorder: ReportRecorder;
  readonly counter: SummaryCounter;
  readonly limiter: UploadSlots;
  /** Sign-in, permissions and what the service keeps: settled before the first request (service-probe.ts). */
  readonly ready: Promise<void>;
  readonly journal?: ImportJournal;
  readonly cleanup?: StagedCleanupStage;
  readonly signal: AbortSignal;
  readonly fail: (error: unknown) => void;
  readonly now: () => number;
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly reconcileDelayMs: number;
  readonly log?: Logger;
}

/** Graph's answer to an upload, gathered for the journal while it is submitted. */
interface UploadAnswerSoFar {
  readonly staged: StagedRow[];
  readonly rejected: SourceLocation[];
}

export class UploadDispatcher {
  readonly #o: UploadDispatcherOptions;
  readonly #answers = new Map<Upload, UploadAnswerSoFar>();
  readonly #inFlight = new Set<Promise<void>>();
  /** What submitting (and reconciling a resumed run) needs: the callbacks below, the clock, the journal's hook. */
  readonly deps: SubmitterDeps;

  constructor(options: UploadDispatcherOptions) {
    this.#o = options;
    const { api, capabilities, poller, sleep, reconcileDelayMs, signal, journal, log } = options;
    this.deps = {
      api,
      capabilities,
      stagedEstimate: () => poller.stagedEstimate,
      onStaged: (upload, pending, record) => this.#onStaged(upload, pending, record),
      onRejected: (upload, pending, message) => this.#unstaged(upload, pending, rowForRejected(pending.location, pending.device.serialNumber, upload.id, message, pending.device)),
      onUnknown: (upload, pending) => this.#unstaged(upload, pending, rowForUnknownOutcome(pending.location, pending.device.serialNumber, upload.id, pending.device)),
      sleep,
      reconcileDelayMs,
      maxUnknownOutcomes: 5,
      log: log ? (fields, message) => log.warn(fields, message) : undefined,
      signal,
      // Durable before the first request: a crash after sending leaves the importId to reconcile by, never a blind resend.
      beforeSubmit: journal
        ? (upload) => {
            journal.uploadPlanned(upload);
            this.#answers.set(upload, { staged: [], rejected: [] });
          }
        : undefined,
    };
  }

  /** Sends `upload` once the probe is done and a slot is free; resolves when it is under way. */
  async dispatch(upload: Upload): Promise<void> {
    const { cleanup, limiter, signal, counter, api } = this.#o;
    // A submission waiting for its turn holds the cleanup's deletes back: they never delay it.
    const unhold = cleanup?.hold();
    let release: () => void;
    try {
      await this.#o.ready;
      release = await limiter.acquire(signal);
    } finally {
      unhold?.();
    }
    this.#o.capabilities.stagedElsewhere.check(upload.devices, (fields, message) => this.#o.log?.warn(fields, message));
    // Writes one submission sends (the uploads resource creates the upload first).
    cleanup?.noteWrites(api.api === "upload" ? 2 : 1);
    counter.uploads += 1;
    counter.submitted += upload.size;
    const task = submitUpload(upload, this.deps)
      .then(() => {
        this.#journalAnswer(upload);
        upload.devices = []; // release the hashes: polling and the report need none
        this.#o.log?.debug({ uploadId: upload.id, devices: upload.size }, "upload submitted");
        this.#o.recorder.progress();
      })
      .catch(this.#o.fail)
      .finally(() => {
        release();
        this.#inFlight.delete(task);
      });
    this.#inFlight.add(task);
  }

  /** Every upload sent so far has been answered (or failed). */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.#inFlight]);
  }

  #onStaged(upload: Upload, pending: PendingDevice, record: ImportedDeviceIdentity): void {
    const { api, tracker, poller, recorder, now } = this.#o;
    this.#answers.get(upload)?.staged.push({ location: pending.location, serialNumber: pending.device.serialNumber, stagedId: record.id });
    // The upload's own id groups its devices, whatever importId the service stores (the uploads resource tags its own).
    const importId = api.api === "upload" && record.importId && record.importId !== record.id ? record.importId : upload.id;
    tracker.note(upload, importId);
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
    if (!record.state || !isTerminal(record.state.deviceImportStatus)) {
      poller.track(device);
      return;
    }
    poller.noteStaged();
    const verdict = verdictFor(record);
    recorder.emit(rowForTracked(device, verdict), device);
    tracker.settle(importId, verdict.status === "failed");
  }

  /** A device that ends failed without being staged: journaled with the upload's answer, final, never sent again. */
  #unstaged(upload: Upload, pending: PendingDevice, row: ImportReportRow): void {
    this.#answers.get(upload)?.rejected.push(pending.location);
    this.#o.tracker.note(upload, upload.id);
    this.#o.recorder.emit(row);
    this.#o.tracker.settle(upload.id, true);
  }

  #journalAnswer(upload: Upload): void {
    const answer = this.#answers.get(upload);
    if (!this.#o.journal || !answer) return;
    this.#answers.delete(upload);
    this.#o.journal.uploadSubmitted(upload.id, { ...answer, notStaged: [], reconciled: false, stagedAt: this.#o.now() });
  }
}
