import type {
  AutopilotDeviceIdentity,
  ImportedDeviceIdentity,
  ImportedDeviceIdentityUpload,
} from "../graph/resources.js";
import type { GraphVersion } from "./graph-call.js";
import { shownHash } from "./hash-storage.js";
import type { Scenario } from "./scenario.js";
import type { ManagedRecord } from "./managed-store.js";
import type { RegisteredRecord, StagedRecord, UploadRecord } from "./store.js";

/** How records look on the wire: the shapes in src/graph/resources.ts plus the OData annotations Graph adds. */

const NEVER = "0001-01-01T00:00:00Z";
/** managedDeviceId of a device never enrolled in Intune, as Graph shows it. */
export const NO_MANAGED_DEVICE = "00000000-0000-0000-0000-000000000000";

export const iso = (epochMs: number): string => new Date(epochMs).toISOString();

/**
 * A staged record as Graph shows it. With `importIdKept` false it reads back as a public 2023 report showed:
 * importId and productKey are the record's own id and the hash is empty (the record itself keeps the real values).
 */
export function stagedToGraph(record: StagedRecord, importIdKept: boolean): ImportedDeviceIdentity {
  return {
    "@odata.type": "#microsoft.graph.importedWindowsAutopilotDeviceIdentity",
    id: record.id,
    serialNumber: record.serialNumber ?? "",
    productKey: importIdKept ? record.productKey : record.id,
    hardwareIdentifier: importIdKept ? shownHash(record.hash) : "",
    groupTag: record.groupTag,
    assignedUserPrincipalName: record.assignedUserPrincipalName,
    importId: importIdKept ? record.importId : record.id,
    state: {
      deviceImportStatus: record.status,
      deviceRegistrationId: record.registrationId,
      deviceErrorCode: record.errorCode,
      deviceErrorName: record.errorName,
    },
  };
}

/** stagedToGraph under the scenario in force, for mapping lists. */
export const stagedView =
  (scenario: Scenario) =>
  (record: StagedRecord): ImportedDeviceIdentity =>
    stagedToGraph(record, scenario.service.importIdKept);

export function registeredToGraph(record: RegisteredRecord): AutopilotDeviceIdentity {
  return {
    "@odata.type": "#microsoft.graph.windowsAutopilotDeviceIdentity",
    id: record.id,
    deploymentProfileAssignmentStatus: record.deploymentProfileAssignmentStatus,
    deploymentProfileAssignmentDetailedStatus: "none",
    deploymentProfileAssignedDateTime: NEVER,
    groupTag: record.groupTag,
    purchaseOrderIdentifier: record.purchaseOrderIdentifier,
    serialNumber: record.serialNumber,
    productKey: record.productKey,
    manufacturer: record.manufacturer,
    model: record.model,
    enrollmentState: record.enrollmentState,
    lastContactedDateTime: record.lastContactedAt === null ? NEVER : iso(record.lastContactedAt),
    addressableUserName: record.addressableUserName,
    userPrincipalName: record.userPrincipalName,
    resourceName: "",
    skuNumber: "",
    systemFamily: "",
    azureActiveDirectoryDeviceId: record.azureAdDeviceId,
    azureAdDeviceId: record.azureAdDeviceId,
    managedDeviceId: record.managedDeviceId ?? NO_MANAGED_DEVICE,
    displayName: record.displayName,
    deviceAccountUpn: "",
    deviceFriendlyName: "",
    remediationState: "noRemediationRequired",
    remediationStateLastModifiedDateTime: iso(record.createdAt),
  };
}

/** Beta-only windowsAutopilotDeviceIdentity properties: v1.0's type does not declare them, so v1.0 never shows them. */
const BETA_ONLY_REGISTERED = [
  "deploymentProfileAssignmentStatus", "deploymentProfileAssignmentDetailedStatus", "deploymentProfileAssignedDateTime", "azureAdDeviceId",
  "deviceAccountUpn", "deviceFriendlyName", "remediationState", "remediationStateLastModifiedDateTime",
] as const;

/** registeredToGraph as `version` shows it (test/contract checks both against Microsoft's metadata). */
export const registeredView =
  (version: GraphVersion) =>
  (record: RegisteredRecord): AutopilotDeviceIdentity => {
    const entity: Record<string, unknown> = registeredToGraph(record);
    if (version === "v1.0") for (const property of BETA_ONLY_REGISTERED) delete entity[property];
    return entity as AutopilotDeviceIdentity;
  };

export function uploadToGraph(upload: UploadRecord): ImportedDeviceIdentityUpload & { "@odata.type": string } {
  return {
    "@odata.type": "#microsoft.graph.importedWindowsAutopilotDeviceIdentityUpload",
    id: upload.id,
    createdDateTimeUtc: iso(upload.createdAt),
    status: upload.status,
  };
}

/** A managedDevice with the properties an offboarding reads (Graph's full entity has many more). */
export function managedToGraph(record: ManagedRecord): Record<string, unknown> {
  return {
    "@odata.type": "#microsoft.graph.managedDevice",
    id: record.id,
    deviceName: record.deviceName,
    managedDeviceName: record.deviceName,
    operatingSystem: "Windows",
    serialNumber: record.serialNumber,
    manufacturer: record.manufacturer,
    model: record.model,
    azureADDeviceId: record.azureADDeviceId,
    userPrincipalName: record.userPrincipalName,
    enrolledDateTime: iso(record.enrolledAt),
    managementAgent: "mdm",
  };
}
