/** Builds report rows: one per input row, whatever happened to it. */
import type { RowResult } from "../model/device.js";
import type { PollOutcome } from "./poller.js";
import { OUTCOME_UNKNOWN_MESSAGE } from "./reconcile.js";
import type { ImportReportRow, TrackedDevice } from "./types.js";

/** The row for an input row the reader rejected (invalid or duplicate): final at once, never submitted. */
export function rowForUnsubmitted(row: Exclude<RowResult, { status: "valid" }>): ImportReportRow {
  const message =
    row.status === "duplicate"
      ? `${row.message} (first seen at ${row.firstSeen.file}:${row.firstSeen.line}); not submitted`
      : `${row.message}; not submitted`;
  return {
    file: row.location.file,
    line: row.location.line,
    serialNumber: row.serialNumber,
    status: row.status,
    errorCode: "",
    errorName: row.code,
    message,
    uploadId: "",
    importedDeviceId: "",
    deviceRegistrationId: "",
    registered: "unchecked",
  };
}

/** The row for a staged device once it is final (or timed out). */
export function rowForTracked(device: Pick<TrackedDevice, "file" | "line" | "serialNumber" | "uploadId" | "stagedId">, outcome: PollOutcome): ImportReportRow {
  return {
    file: device.file,
    line: device.line,
    serialNumber: device.serialNumber,
    status: outcome.status,
    errorCode: outcome.errorCode,
    errorName: outcome.errorName,
    message: outcome.message,
    uploadId: device.uploadId,
    importedDeviceId: device.stagedId,
    deviceRegistrationId: outcome.deviceRegistrationId,
    registered: "unchecked",
  };
}

/** A device that was never staged and ends failed: refused by Graph, or its outcome unprovable. */
function unstagedFailure(location: { file: string; line: number }, serialNumber: string, uploadId: string, errorName: string, message: string): ImportReportRow {
  return {
    file: location.file,
    line: location.line,
    serialNumber,
    status: "failed",
    errorCode: "",
    errorName,
    message,
    uploadId,
    importedDeviceId: "",
    deviceRegistrationId: "",
    registered: "unchecked",
  };
}

/** The row for a device Graph refused to stage (a 400 isolated to it). */
export function rowForRejected(
  location: { file: string; line: number },
  serialNumber: string,
  uploadId: string,
  serviceMessage: string,
): ImportReportRow {
  const message = `Graph rejected this device's data: ${serviceMessage}. Check the row (usually the hardware hash: recapture it) and import it again`;
  return unstagedFailure(location, serialNumber, uploadId, "BadRequest", message);
}

/** The row for a device whose submission's outcome cannot be proven either way (see reconcile.ts): failed, not resent. */
export function rowForUnknownOutcome(location: { file: string; line: number }, serialNumber: string, uploadId: string): ImportReportRow {
  return unstagedFailure(location, serialNumber, uploadId, "OutcomeUnknown", OUTCOME_UNKNOWN_MESSAGE);
}
