import type {
  AutopilotDeviceIdentity,
  ImportedDeviceIdentity,
  ImportedDeviceIdentityUpload,
} from "../graph/resources.js";
import type { RegisteredRecord, StagedRecord, UploadRecord } from "./store.js";

/** How records look on the wire: the shapes in src/graph/resources.ts plus the OData annotations Graph adds. */

const NEVER = "0001-01-01T00:00:00Z";

export const iso = (epochMs: number): string => new Date(epochMs).toISOString();

export function stagedToGraph(record: StagedRecord): ImportedDeviceIdentity {
  return {
    "@odata.type": "#microsoft.graph.importedWindowsAutopilotDeviceIdentity",
    id: record.id,
    serialNumber: record.serialNumber ?? "",
    productKey: record.productKey,
    hardwareIdentifier: record.hardwareIdentifier,
    groupTag: record.groupTag,
    assignedUserPrincipalName: record.assignedUserPrincipalName,
    importId: record.importId,
    state: {
      deviceImportStatus: record.status,
      deviceRegistrationId: record.registrationId,
      deviceErrorCode: record.errorCode,
      deviceErrorName: record.errorName,
    },
  };
}

export function registeredToGraph(record: RegisteredRecord): AutopilotDeviceIdentity {
  return {
    "@odata.type": "#microsoft.graph.windowsAutopilotDeviceIdentity",
    id: record.id,
    deploymentProfileAssignmentStatus: "notAssigned",
    deploymentProfileAssignmentDetailedStatus: "none",
    deploymentProfileAssignedDateTime: NEVER,
    groupTag: record.groupTag,
    purchaseOrderIdentifier: "",
    serialNumber: record.serialNumber,
    productKey: record.productKey,
    manufacturer: record.manufacturer,
    model: record.model,
    enrollmentState: "notContacted",
    lastContactedDateTime: NEVER,
    addressableUserName: record.addressableUserName,
    userPrincipalName: record.userPrincipalName,
    resourceName: "",
    skuNumber: "",
    systemFamily: "",
    azureActiveDirectoryDeviceId: record.azureAdDeviceId,
    azureAdDeviceId: record.azureAdDeviceId,
    managedDeviceId: "00000000-0000-0000-0000-000000000000",
    displayName: record.displayName,
    deviceAccountUpn: "",
    deviceFriendlyName: "",
    remediationState: "noRemediationRequired",
    remediationStateLastModifiedDateTime: iso(record.createdAt),
  };
}

export function uploadToGraph(upload: UploadRecord): ImportedDeviceIdentityUpload & { "@odata.type": string } {
  return {
    "@odata.type": "#microsoft.graph.importedWindowsAutopilotDeviceIdentityUpload",
    id: upload.id,
    createdDateTimeUtc: iso(upload.createdAt),
    status: upload.status,
  };
}
