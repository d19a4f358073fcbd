import { checkProperties, edmBinaryError, edmTypeError, isPaddedBase64, isRecord, optionalString } from "./edm.js";
import { badRequest } from "./graph-error.js";
import type { EmulatorState } from "./graph-call.js";
import type { StagedInput, StagedRecord } from "./store.js";

/** The properties of an importedWindowsAutopilotDeviceIdentity: what a request may set and `$select` may name. */
export const IDENTITY_PROPERTIES: ReadonlySet<string> = new Set([
  "id",
  "serialNumber",
  "productKey",
  "hardwareIdentifier",
  "groupTag",
  "assignedUserPrincipalName",
  "importId",
  "state",
]);

/**
 * Reads one importedWindowsAutopilotDeviceIdentity from a request body the way the OData reader does:
 * undeclared properties (unless `acceptUnknown`) and wrong types are 400s, and so is a hash that is not padded
 * standard base64. `id` and `state` are accepted and ignored (the service assigns them).
 */
export function parseIdentity(value: unknown, acceptUnknown: boolean): StagedInput {
  if (!isRecord(value)) throw badRequest("The request body for an importedWindowsAutopilotDeviceIdentity must be a JSON object.");
  checkProperties(value, IDENTITY_PROPERTIES, "importedWindowsAutopilotDeviceIdentity", acceptUnknown);
  const hash = value["hardwareIdentifier"];
  if (hash !== undefined && hash !== null) {
    if (typeof hash !== "string") throw edmTypeError("hardwareIdentifier", "Edm.Binary");
    if (!isPaddedBase64(hash)) throw edmBinaryError(hash);
  }
  return {
    serialNumber: optionalString(value, "serialNumber"),
    productKey: optionalString(value, "productKey"),
    hardwareIdentifier: (hash as string | null | undefined) ?? null,
    groupTag: optionalString(value, "groupTag"),
    assignedUserPrincipalName: optionalString(value, "assignedUserPrincipalName"),
    importId: optionalString(value, "importId"),
  };
}

/** Reads the `import` action body: `{"importedWindowsAutopilotDeviceIdentities":[…]}`, all-or-nothing. */
export function parseImportBody(body: unknown, maxImportSize: number, acceptUnknown: boolean, allowEmptyBody = false): StagedInput[] {
  if (allowEmptyBody && (body === undefined || (isRecord(body) && body["importedWindowsAutopilotDeviceIdentities"] === undefined))) return [];
  if (!isRecord(body)) throw badRequest("The request body must be a JSON object with 'importedWindowsAutopilotDeviceIdentities'.");
  checkProperties(body, new Set(["importedWindowsAutopilotDeviceIdentities"]), "import", acceptUnknown);
  const list = body["importedWindowsAutopilotDeviceIdentities"];
  if (!Array.isArray(list)) throw badRequest("The parameter 'importedWindowsAutopilotDeviceIdentities' must be an array of importedWindowsAutopilotDeviceIdentity.");
  if (list.length > maxImportSize) {
    throw badRequest(`The number of device identities in one import (${list.length}) exceeds the maximum of ${maxImportSize}.`);
  }
  return list.map((item) => parseIdentity(item, acceptUnknown));
}

/**
 * Stages one submission: every input becomes a record, in order. A hash repeated within the submission
 * marks the later copies ZtdDeviceDuplicated. `queue` false leaves records for a later upload import.
 */
export function submit(
  state: EmulatorState,
  inputs: readonly StagedInput[],
  options: { uploadId: string | null; queue: boolean; defaultImportId?: string },
): StagedRecord[] {
  const seenHashes = new Set<string>();
  const stats = state.stats();
  const { hashStorage } = state.scenario().limits;
  return inputs.map((input) => {
    const hash = input.hardwareIdentifier;
    const duplicate = hash !== null && hash !== "" && seenHashes.has(hash);
    if (hash !== null && hash !== "") seenHashes.add(hash);
    // The hash was validated (padded base64) by parseIdentity; from here on the store may keep only its digest.
    const record = state.store.addStaged(
      { ...input, importId: input.importId ?? options.defaultImportId ?? null },
      { uploadId: options.uploadId, duplicateInSubmission: duplicate, hashStorage },
    );
    stats.submitted(input.serialNumber);
    if (options.queue) state.worker.enqueue(record);
    return record;
  });
}
