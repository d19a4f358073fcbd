/**
 * Turns what Graph says about a staged record into a report status and an operator-facing message.
 * Keyed on deviceErrorCode (the number): names are spelled differently across Microsoft sources.
 * The texts per code and their sources are in remedies.ts.
 */
import type { DeviceImportStatus, ImportedDeviceIdentity } from "../graph/resources.js";
import { ERROR_CODE_ADVICE, ERROR_NAME_ADVICE, genericAdvice } from "./remedies.js";
import type { ImportRowStatus } from "./types.js";

export type FinalStatus = Extract<ImportRowStatus, "imported" | "already_registered" | "failed">;

export interface DeviceVerdict {
  readonly status: FinalStatus;
  readonly errorCode: string;
  readonly errorName: string;
  readonly message: string;
  readonly deviceRegistrationId: string;
}

/** unknown and pending are in progress; partial is treated as in progress until the deadline. */
export function isTerminal(status: DeviceImportStatus): boolean {
  return status === "complete" || status === "error";
}

/** Why an error code matters and what to do, for the report's message column. */
export function adviceFor(code: number, name: string | null | undefined): string {
  const byCode = ERROR_CODE_ADVICE[code];
  if (byCode) return byCode;
  const key = name?.toLowerCase() ?? "";
  // Own keys only: a name such as "constructor" must not reach Object.prototype.
  const byName = Object.hasOwn(ERROR_NAME_ADVICE, key) ? ERROR_NAME_ADVICE[key] : undefined;
  return byName ?? genericAdvice(code, name);
}

/** The verdict for a staged record in a terminal state (complete or error). */
export function verdictFor(record: ImportedDeviceIdentity): DeviceVerdict {
  const { state } = record;
  const registrationId = state.deviceRegistrationId ?? "";
  if (state.deviceImportStatus === "complete") {
    return { status: "imported", errorCode: "", errorName: "", message: "", deviceRegistrationId: registrationId };
  }
  const code = state.deviceErrorCode;
  const name = state.deviceErrorName ?? "";
  return {
    status: code === 806 ? "already_registered" : "failed",
    errorCode: code ? String(code) : "",
    errorName: name,
    message: adviceFor(code, name),
    deviceRegistrationId: registrationId,
  };
}

/** The report message for a device still not final when its polling deadline passed. */
export function timeoutMessage(lastStatus: DeviceImportStatus, pollTimeoutMs: number): string {
  if (lastStatus === "partial") return "partial at deadline";
  const minutes = Math.round(pollTimeoutMs / 60_000);
  const span = minutes >= 1 ? `${minutes} min` : `${Math.round(pollTimeoutMs / 1000)} s`;
  return `still ${lastStatus} after ${span} (--poll-timeout): the service may finish later; check the device in Intune or re-run the import for this row`;
}
