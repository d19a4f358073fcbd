/** Builds report rows: one per input row, whatever happened to it, each with a message (and a code when rejected). */
import type { RowResult } from "../model/device.js";
import type { PollOutcome } from "./poller.js";
import { OUTCOME_UNKNOWN_MESSAGE } from "./reconcile.js";
import type { DeviceInputs, ImportReportRow, TrackedDevice } from "./types.js";

/** The report's groupTag and assignedUser cells: what was sent with the device. */
function applied(inputs: DeviceInputs): Pick<ImportReportRow, "groupTag" | "assignedUser"> {
  return { groupTag: inputs.groupTag ?? "", assignedUser: inputs.assignedUserPrincipalName ?? "" };
}

/** A journaled row (the journal keeps no group tag or user) with the values the reader gives its row again. */
export function withInputs(row: ImportReportRow, inputs: DeviceInputs): ImportReportRow {
  return { ...row, ...applied(inputs) };
}

/** The message of an imported row; the groupTag and assignedUser columns say what was applied. */
export const IMPORTED_MESSAGE = "imported";

/**
 * What the report says of a rejected row: the reader's sentence (a duplicate's already names its first line, once),
 * and that the row was not sent.
 */
function unsubmittedMessage(row: Exclude<RowResult, { status: "valid" }>): string {
  if (row.status === "invalid") return `${row.message}; not submitted`;
  // The serial's sentence ends "only the first is used"; the hash's asks a question, so it is told what happened.
  return row.code === "duplicate_serial" ? row.message : `${row.message} Only the first is submitted`;
}

/**
 * The row for an input row the reader rejected (invalid or duplicate): final at once, never submitted. Its code is
 * the validator's (e.g. hash_not_base64, duplicate_serial); a duplicate's message already names its first line.
 */
export function rowForUnsubmitted(row: Exclude<RowResult, { status: "valid" }>): ImportReportRow {
  return {
    file: row.location.file,
    line: row.location.line,
    serialNumber: row.serialNumber,
    status: row.status,
    errorCode: row.code,
    errorName: row.code,
    message: unsubmittedMessage(row),
    groupTag: "",
    assignedUser: "",
    uploadId: "",
    importedDeviceId: "",
    deviceRegistrationId: "",
    registered: "unchecked",
  };
}

/** The row for a staged device once it is final (or timed out). */
export function rowForTracked(
  device: Pick<TrackedDevice, "file" | "line" | "serialNumber" | "uploadId" | "stagedId" | "groupTag" | "assignedUserPrincipalName">,
  outcome: PollOutcome,
): ImportReportRow {
  return {
    file: device.file,
    line: device.line,
    serialNumber: device.serialNumber,
    status: outcome.status,
    errorCode: outcome.errorCode,
    errorName: outcome.errorName,
    message: outcome.message || (outcome.status === "imported" ? IMPORTED_MESSAGE : outcome.status),
    ...applied(device),
    uploadId: device.uploadId,
    importedDeviceId: device.stagedId,
    deviceRegistrationId: outcome.deviceRegistrationId,
    registered: "unchecked",
  };
}

/** A device that was never staged and ends failed: refused by Graph, or its outcome unprovable. */
function unstagedFailure(location: { file: string; line: number }, serialNumber: string, uploadId: string, errorName: string, message: string, inputs: DeviceInputs): ImportReportRow {
  return {
    file: location.file,
    line: location.line,
    serialNumber,
    status: "failed",
    errorCode: "",
    errorName,
    message,
    ...applied(inputs),
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
  inputs: DeviceInputs = {},
): ImportReportRow {
  const message = `Graph rejected this device's data: ${serviceMessage}. Check the row (usually the hardware hash: recapture it) and import it again`;
  return unstagedFailure(location, serialNumber, uploadId, "BadRequest", message, inputs);
}

/** The row for a device whose submission's outcome cannot be proven either way (see reconcile.ts): failed, not resent. */
export function rowForUnknownOutcome(location: { file: string; line: number }, serialNumber: string, uploadId: string, inputs: DeviceInputs = {}): ImportReportRow {
  return unstagedFailure(location, serialNumber, uploadId, "OutcomeUnknown", OUTCOME_UNKNOWN_MESSAGE, inputs);
}
