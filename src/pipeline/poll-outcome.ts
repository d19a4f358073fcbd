/** What the poller reports for a device: the service's verdict, or why it stopped waiting for one. */
import type { DeviceImportStatus } from "../graph/resources.js";
import { timeoutMessage, type DeviceVerdict } from "./outcomes.js";

/** A device's final outcome as the poller sees it. */
export type PollOutcome =
  | DeviceVerdict
  | { readonly status: "timeout" | "failed"; readonly errorCode: string; readonly errorName: string; readonly message: string; readonly deviceRegistrationId: string };

/** The staged record vanished from complete answers before it was final (someone else may have deleted it). */
export function stagedRecordMissing(lastStatus: DeviceImportStatus): PollOutcome {
  return {
    status: "failed",
    errorCode: "",
    errorName: "StagedRecordMissing",
    message: `the staged record disappeared before its result was read (last status ${lastStatus}); another tool may have deleted it: check the device in Intune or import it again`,
    deviceRegistrationId: "",
  };
}

/** The device was still in progress when its deadline passed. */
export function pollTimedOut(lastStatus: DeviceImportStatus, pollTimeoutMs: number): PollOutcome {
  return { status: "timeout", errorCode: "", errorName: lastStatus, message: timeoutMessage(lastStatus, pollTimeoutMs), deviceRegistrationId: "" };
}
