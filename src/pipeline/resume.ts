/**
 * Settles what an earlier, interrupted process of the run left, before anything is read or sent: each upload that
 * was planned but never confirmed is looked up in Graph (by importId, else by serial number: reconcile.ts) and its
 * rows become staged or free to be sent again; then every staged device without an outcome is polled again.
 */
import type { ImportJournal } from "./journal-port.js";
import { isTerminal, verdictFor } from "./outcomes.js";
import { findStaged, type ReconcileDeps } from "./reconcile.js";
import { rowForTracked, rowForUnknownOutcome, withInputs } from "./report-rows.js";
import type { ReportRecorder } from "./report-recorder.js";
import type { SummaryCounter } from "./summary.js";
import type { DeviceInputs, ImportReportRow, PendingDevice, TrackedDevice } from "./types.js";
import type { DeviceIdentity, SourceLocation } from "../model/device.js";

export interface ResumeDeps extends ReconcileDeps {
  readonly journal: ImportJournal;
  readonly signal: AbortSignal;
  readonly now: () => number;
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  /**
   * Not before this time: a request the previous process sent just before it died may still be in the service, and
   * must land before we look for it (the same wait as for an unknown outcome within a run).
   */
  readonly reconcileNotBefore: number;
  readonly log?: (fields: Record<string, unknown>, message: string) => void;
}

export interface Resumed {
  /** Devices to poll again, in staging order: tracked before any new one, so deadlines stay in order. */
  readonly devices: TrackedDevice[];
  /** Unconfirmed uploads in which reconciliation found staged devices (they count as uploads of the run). */
  readonly reconciledUploads: number;
}

export async function resumeFromJournal(deps: ResumeDeps): Promise<Resumed> {
  const { journal, now } = deps;
  const uploads = journal.unconfirmedUploads();
  let reconciledUploads = 0;
  if (uploads.length > 0) {
    const wait = deps.reconcileNotBefore - now();
    if (wait > 0) await deps.sleep(wait, deps.signal);
  }
  for (const upload of uploads) {
    // Reconciliation needs serial numbers only: no hash is kept in the journal, none is needed here.
    const pending: PendingDevice[] = upload.devices.map((d) => ({ location: d.location, device: { serialNumber: d.serialNumber, hardwareIdentifier: "" } }));
    const { staged: found, unknown } = await findStaged(upload.id, pending, deps, upload.recovery);
    const notStaged = pending.filter((p) => !found.has(p) && !unknown.includes(p)).map((p) => p.location);
    journal.uploadSubmitted(upload.id, {
      staged: [...found].map(([p, record]) => ({ location: p.location, serialNumber: p.device.serialNumber, stagedId: record.id })),
      // In doubt: reported failed and never sent again (its outcome is journaled below, as a rejection's is).
      rejected: unknown.map((p) => p.location),
      notStaged,
      reconciled: true,
      stagedAt: upload.plannedAt,
    });
    for (const p of unknown) journal.rowOutcome(rowForUnknownOutcome(p.location, p.device.serialNumber, upload.id), "polled");
    for (const [p, record] of found) {
      if (!record.state || !isTerminal(record.state.deviceImportStatus)) continue;
      const row = rowForTracked({ file: p.location.file, line: p.location.line, serialNumber: p.device.serialNumber, uploadId: upload.id, stagedId: record.id }, verdictFor(record));
      journal.rowOutcome(row, "polled");
    }
    if (found.size > 0) reconciledUploads += 1;
    // An uploads resource the previous process created and never filled: its devices go into a new one, so delete it.
    else if (unknown.length === 0 && (await discardLeftUpload(deps, upload.id))) deps.log?.({ uploadId: upload.id }, "deleted the empty upload the previous process left");
    deps.log?.({ uploadId: upload.id, devices: pending.length, staged: found.size, unknown: unknown.length, notStaged: notStaged.length }, "reconciled an upload the previous process did not confirm");
  }
  // A fresh deadline from now: the earlier process's wait was cut short, and --poll-timeout is the time watched.
  const resumedAt = now();
  const inFlight = journal.inFlight();
  // Ours already: a serial-number reconciliation must never hand one of them to another device.
  for (const staged of inFlight) deps.capabilities.claimed.add(staged.stagedId);
  const devices = inFlight.map(
    (staged): TrackedDevice => ({
      file: staged.location.file,
      line: staged.location.line,
      serialNumber: staged.serialNumber,
      uploadId: staged.uploadId,
      stagedId: staged.stagedId,
      stagedAt: resumedAt,
      status: "unknown",
      misses: 0,
    }),
  );
  return { devices, reconciledUploads };
}

const locationKey = (location: { readonly file: string; readonly line: number }): string => `${location.line}:${location.file}`;

const inputsOf = (device: DeviceIdentity): DeviceInputs => ({ groupTag: device.groupTag, assignedUserPrincipalName: device.assignedUserPrincipalName });

/**
 * The rows an earlier process of the run already sent, as the reader meets them again: reported from the journal, or
 * left to the poller; never submitted again. A device polled again gets its CSV values (for the after-import steps)
 * once the reader reaches its row: one that finishes before that is journaled and reported when its row is read.
 */
export class ResumedRows {
  /** Staged ids of the earlier process's devices still in flight. */
  readonly #devices = new Set<string>();
  readonly #readWhileInFlight = new Map<string, DeviceInputs>();
  readonly #journal: ImportJournal;
  readonly #counter: SummaryCounter;
  readonly #recorder: ReportRecorder;

  constructor(journal: ImportJournal, counter: SummaryCounter, recorder: ReportRecorder) {
    this.#journal = journal;
    this.#counter = counter;
    this.#recorder = recorder;
  }

  /** A device of the earlier process, polled again by this one. */
  track(device: TrackedDevice): void {
    this.#devices.add(device.stagedId);
  }

  /** Whether this final device was one of the earlier process's; if so, its row is settled here. */
  finish(device: TrackedDevice, row: ImportReportRow): boolean {
    if (!this.#devices.delete(device.stagedId)) return false;
    const key = locationKey(device);
    const inputs = this.#readWhileInFlight.get(key);
    if (inputs === undefined) this.#journal.rowOutcome(row, "polled");
    else {
      this.#readWhileInFlight.delete(key);
      this.#recorder.emit(withInputs(row, inputs), inputs);
    }
    return true;
  }

  /** A valid row read again; true when the journal knows it (then it is settled here, never submitted). */
  read(location: SourceLocation, device: DeviceIdentity): boolean {
    const earlier = this.#journal.lookup(location, device.serialNumber);
    if (!earlier) return false;
    this.#counter.submitted += 1;
    const inputs = inputsOf(device);
    if (earlier.kind === "inFlight") this.#readWhileInFlight.set(locationKey(location), inputs);
    else if (earlier.final) {
      this.#counter.countFinal(earlier.row);
      this.#recorder.record(withInputs(earlier.row, inputs));
    } else this.#recorder.emit(withInputs(earlier.row, inputs), inputs, true);
    this.#recorder.progress();
    return true;
  }
}

/** Deletes an empty upload resource a killed process left; a failure is only told (the resume goes on without it). */
async function discardLeftUpload(deps: ResumeDeps, uploadId: string): Promise<boolean> {
  if (deps.signal?.aborted) return false;
  try {
    return (await deps.api.discardIfEmpty?.(uploadId, deps.signal)) ?? false;
  } catch (error) {
    if (deps.signal?.aborted) throw error;
    deps.log?.({ uploadId, error: error instanceof Error ? error.message : String(error) }, "could not delete the empty upload the previous process left: it stays in Graph");
    return false;
  }
}
