/**
 * Settles what an earlier, interrupted process of the run left, before anything is read or sent: each upload that
 * was planned but never confirmed is looked up in Graph (by importId, else by serial number: reconcile.ts) and its
 * rows become staged or free to be sent again; then every staged device without an outcome is polled again.
 */
import type { ImportJournal } from "./journal-port.js";
import { isTerminal, verdictFor } from "./outcomes.js";
import { findStaged, type ReconcileDeps } from "./reconcile.js";
import { rowForTracked, rowForUnknownOutcome } from "./report-rows.js";
import type { PendingDevice, TrackedDevice } from "./types.js";

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
    const { staged: found, unknown } = await findStaged(upload.id, pending, deps);
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
