/**
 * Submits one upload: splits it when the service rejects it with 400 so a poison row never sinks the others, and
 * reconciles instead of resending when a submission's outcome is unknown.
 */
import { ServiceError, isTransientServiceError } from "../errors.js";
import { OutcomeUnknownError } from "../graph/errors/index.js";
import type { ImportedDeviceIdentity } from "../graph/resources.js";
import { learnImportIdKept } from "./import-id.js";
import { findStaged, type ReconcileDeps } from "./reconcile.js";
import { planSplit } from "./split.js";
import type { PendingDevice, Upload } from "./types.js";

export interface SubmitterDeps extends ReconcileDeps {
  /** The service staged this device (its record may already be final). */
  onStaged(upload: Upload, device: PendingDevice, record: ImportedDeviceIdentity): void;
  /** The service refused this device outright (a 400 isolated to it). */
  onRejected(upload: Upload, device: PendingDevice, message: string): void;
  /** Its submission's outcome cannot be proven (the service does not keep our importId): reported, never resent. */
  onUnknown(upload: Upload, device: PendingDevice): void;
  /** Counts each request the submission sends, for logs. */
  onAttempt?(upload: Upload, devices: number): void;
  /** Called once the upload has its final id and before its first request (the journal records it here). */
  beforeSubmit?(upload: Upload): void;
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Wait before looking for what an unknown-outcome request staged, so a request still in the service can land. */
  readonly reconcileDelayMs: number;
  /** Unknown outcomes in a row for the same devices before giving up with a ServiceError. */
  readonly maxUnknownOutcomes: number;
  readonly log?: (fields: Record<string, unknown>, message: string) => void;
  readonly signal: AbortSignal;
}

/** Whether Graph refused the request's content (400, or 413 for a body too large): worth splitting. */
function isRejection(error: unknown): error is ServiceError {
  return error instanceof ServiceError && (error.status === 400 || error.status === 413);
}

/** The service's own words, for the report. */
function serviceMessage(error: ServiceError): string {
  const graphMessage = (error as { graphMessage?: unknown }).graphMessage;
  return typeof graphMessage === "string" && graphMessage ? graphMessage : error.message;
}

/** Submits every device of `upload` exactly once (or reports it rejected); resolves when all are staged or rejected. */
export async function submitUpload(upload: Upload, deps: SubmitterDeps): Promise<void> {
  await deps.api.open(upload, deps.signal);
  deps.beforeSubmit?.(upload);
  await submitPart(upload, upload.devices, deps, 0);
  upload.status = "pending";
  await releaseEmpty(upload, deps);
}

/** Deletes the empty uploads resources this upload left (see StagedApi.release); a failure to is only worth a warning. */
async function releaseEmpty(upload: Upload, deps: SubmitterDeps): Promise<void> {
  try {
    await deps.api.release?.(upload, deps.signal);
  } catch (error) {
    if (deps.signal.aborted) throw error;
    deps.log?.({ uploadId: upload.id, err: error }, "could not delete an empty upload resource");
  }
}

async function submitPart(upload: Upload, devices: readonly PendingDevice[], deps: SubmitterDeps, unknownOutcomes: number): Promise<void> {
  if (devices.length === 0) return;
  let records: ImportedDeviceIdentity[];
  try {
    deps.onAttempt?.(upload, devices.length);
    records = await deps.api.submit(upload, devices, deps.signal);
  } catch (error) {
    if (isRejection(error)) return splitAndRetry(upload, devices, error, deps, unknownOutcomes);
    if (error instanceof OutcomeUnknownError) return reconcileAndRetry(upload, devices, error, deps, unknownOutcomes + 1);
    throw error;
  }
  // The import action tags devices with the upload's id; the uploads resource tags them itself.
  learnImportIdKept(deps.capabilities.traits, deps.api.api === "import" ? upload.id : undefined, records);
  const missing = matchRecords(upload, devices, records, deps);
  if (missing.length > 0) {
    // The answer did not list every device: find out rather than assume.
    deps.log?.({ uploadId: upload.id, missing: missing.length }, "import answer lacks some devices; reconciling");
    await reconcileAndRetry(upload, missing, undefined, deps, unknownOutcomes + 1);
  }
}

/** Pairs staged records with devices by serial number; returns the devices without a record. */
function matchRecords(upload: Upload, devices: readonly PendingDevice[], records: readonly ImportedDeviceIdentity[], deps: SubmitterDeps): PendingDevice[] {
  const bySerial = new Map<string, ImportedDeviceIdentity>();
  for (const record of records) if (!bySerial.has(record.serialNumber)) bySerial.set(record.serialNumber, record);
  const missing: PendingDevice[] = [];
  for (const device of devices) {
    const record = bySerial.get(device.device.serialNumber);
    if (record) {
      // Only serial-number reconciliation needs to know which records are ours already.
      if (deps.capabilities.traits.get("importIdKept") !== true) deps.capabilities.claimed.add(record.id);
      deps.onStaged(upload, device, record);
    } else missing.push(device);
  }
  return missing;
}

async function splitAndRetry(upload: Upload, devices: readonly PendingDevice[], error: ServiceError, deps: SubmitterDeps, unknownOutcomes: number): Promise<void> {
  const message = serviceMessage(error);
  const plan = planSplit(devices, message);
  deps.log?.({ uploadId: upload.id, devices: devices.length, plan: plan.kind, status: error.status }, "submission rejected; splitting");
  switch (plan.kind) {
    case "fail":
    case "isolate":
      for (const device of plan.culprits) deps.onRejected(upload, device, message);
      if (plan.kind === "isolate") await submitPart(upload, plan.rest, deps, unknownOutcomes);
      return;
    case "bisect":
      // Sequential: halves of one upload share its slot, so concurrency stays as configured.
      await submitPart(upload, plan.halves[0], deps, unknownOutcomes);
      await submitPart(upload, plan.halves[1], deps, unknownOutcomes);
      return;
  }
}

/** Rounds of the reconciliation lookup (each already retried by the client) before a transient failure ends the run. */
const RECONCILE_ROUNDS = 4;

/** The lookup only reads: after a transient failure it is tried again later, as a poll round would be. */
async function findStagedPatiently(uploadId: string, devices: readonly PendingDevice[], deps: SubmitterDeps): ReturnType<typeof findStaged> {
  for (let round = 1; ; round += 1) {
    try {
      return await findStaged(uploadId, devices, deps);
    } catch (error) {
      if (round >= RECONCILE_ROUNDS || deps.signal.aborted || !isTransientServiceError(error)) throw error;
      deps.log?.({ uploadId, round, err: error }, "reconciliation lookup failed; trying again");
      await deps.sleep(deps.reconcileDelayMs * 2 ** round, deps.signal);
    }
  }
}

async function reconcileAndRetry(
  upload: Upload,
  devices: readonly PendingDevice[],
  cause: OutcomeUnknownError | undefined,
  deps: SubmitterDeps,
  unknownOutcomes: number,
): Promise<void> {
  if (unknownOutcomes > deps.maxUnknownOutcomes) {
    throw new ServiceError(
      `upload ${upload.id}: the outcome of ${unknownOutcomes} submissions in a row is unknown; stopping rather than risk duplicates`,
      undefined,
      "OutcomeUnknown",
      { cause },
    );
  }
  deps.log?.({ uploadId: upload.id, devices: devices.length, err: cause }, "submission outcome unknown; reconciling");
  await deps.sleep(deps.reconcileDelayMs, deps.signal);
  const { staged, unknown } = await findStagedPatiently(upload.id, devices, deps);
  for (const [device, record] of staged) deps.onStaged(upload, device, record);
  for (const device of unknown) deps.onUnknown(upload, device);
  const notStaged = devices.filter((d) => !staged.has(d) && !unknown.includes(d));
  deps.log?.({ uploadId: upload.id, staged: staged.size, unknown: unknown.length, resending: notStaged.length }, "reconciled");
  await submitPart(upload, notStaged, deps, unknownOutcomes);
}
