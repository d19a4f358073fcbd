import type { Sequenced } from "./ordered-index.js";
import type { EnrollmentState, ProfileAssignmentStatus } from "./scenario-devices.js";

/** A registered windowsAutopilotDeviceIdentity. */
export interface RegisteredRecord extends Sequenced {
  readonly id: string;
  readonly serialNumber: string;
  readonly serialUpper: string;
  readonly productKey: string;
  readonly manufacturer: string;
  readonly model: string;
  readonly azureAdDeviceId: string;
  readonly createdAt: number;
  readonly purchaseOrderIdentifier: string;
  groupTag: string;
  userPrincipalName: string;
  addressableUserName: string;
  displayName: string;
  enrollmentState: EnrollmentState;
  deploymentProfileAssignmentStatus: ProfileAssignmentStatus;
  /** Epoch ms of the last contact; null: never (Graph shows 0001-01-01). */
  lastContactedAt: number | null;
  /** The Intune managed device enrolled from this record, or null; it stays set after that record is deleted, as Intune's does. */
  managedDeviceId: string | null;
  /** Emulated time of the DELETE that is removing this record (it lingers until processing.deletionLingerMs passes). */
  deletionRequestedAt: number | null;
}

export type RegisteredInput = Partial<
  Pick<
    RegisteredRecord,
    | "id" | "productKey" | "manufacturer" | "model" | "groupTag" | "userPrincipalName" | "addressableUserName" | "displayName"
    | "purchaseOrderIdentifier" | "enrollmentState" | "deploymentProfileAssignmentStatus"
  >
> & { readonly serialNumber: string; readonly lastContactedDateTime?: string | undefined };
