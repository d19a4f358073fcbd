/**
 * Turns what Graph says about a staged record into a report status and an operator-facing message.
 * Keyed on deviceErrorCode (the number): names are spelled differently across Microsoft sources.
 */
import type { DeviceImportStatus, ImportedDeviceIdentity } from "../graph/resources.js";
import type { ImportRowStatus } from "./types.js";

/** Operator guidance per DDS error code (see docs/autopilot-graph.md §3). */
const ERROR_CODE_ADVICE: Readonly<Record<number, string>> = {
  801: "The service rejected the request body for this device (InvalidZtdRequestBody). Check the row's fields and re-import it; if it persists, open a support case.",
  802: "The hardware hash is invalid or empty (InvalidZtdHardwareHash). Recapture the hash on the device (Get-WindowsAutopilotInfo) and import the new row.",
  803: "Serial number and product key are both missing (MissingZtdSerialNumberAndProductKey). Fix the row and import it again.",
  806: "Already registered in this tenant (ZtdDeviceAlreadyAssigned): nothing to do. Update its group tag or user in Intune if they should change.",
  807: "The device is not registered to this tenant (ZtdDeviceIsNotRegistered). Check that you are importing into the right tenant.",
  808: "Registered in another tenant (ZtdDeviceAssignedToOtherTenant). The other tenant must deregister it (or remove it from Microsoft Store for Business), or open a Microsoft support case with proof of ownership.",
  809: "Rejected by the Device Directory Service because of a deployment-profile conflict. See Microsoft's Autopilot device import error list for this code and retry once resolved.",
  810: "Rejected by the Device Directory Service because the device is associated with another tenant. The other tenant must release it, or open a Microsoft support case with proof of ownership.",
  811: "The Device Directory Service could not find the device. Recapture the hash on the device and import it again.",
  812: "The Device Directory Service found the device is not unique (several records match). Open a Microsoft support case with the serial number.",
  813: "The device is already registered in Microsoft Entra ID in a way that blocks Autopilot registration. Remove the stale Entra device object and import again.",
  814: "The device is already registered in Microsoft Entra ID in a way that blocks Autopilot registration. Remove the stale Entra device object and import again.",
};

/** Guidance for errors that come with a name but no meaningful code. */
const ERROR_NAME_ADVICE: Readonly<Record<string, string>> = {
  ztddeviceduplicated:
    "The same hardware hash was submitted twice in one upload (ZtdDeviceDuplicated): only one copy was processed. Check the file for two serial numbers with one hash.",
  storageerror: "The service had a storage error (StorageError). Retry the import for this device later.",
};

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
  const byName = name ? ERROR_NAME_ADVICE[name.toLowerCase()] : undefined;
  if (byName) return byName;
  const label = [code ? String(code) : "", name ?? ""].filter(Boolean).join(" ");
  return `The Device Directory Service rejected the device${label ? ` (${label})` : ""}. See Microsoft's Windows Autopilot import error list for this code.`;
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
