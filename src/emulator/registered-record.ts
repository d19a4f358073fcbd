import { hash } from "node:crypto";
import type { Sequenced } from "./ordered-index.js";
import type { EnrollmentState, ProfileAssignmentStatus } from "./scenario-devices.js";

/** What a device registered by an import never sets; Intune, enrollment, updates and deletion change it later. */
interface RegisteredDetails {
  manufacturer: string;
  model: string;
  purchaseOrderIdentifier: string;
  addressableUserName: string;
  displayName: string;
  enrollmentState: EnrollmentState;
  deploymentProfileAssignmentStatus: ProfileAssignmentStatus;
  lastContactedAt: number | null;
  managedDeviceId: string | null;
  deletionRequestedAt: number | null;
}

/** One object shared by every record whose details are still the defaults: a million imported devices hold none. */
const DEFAULT_DETAILS: Readonly<RegisteredDetails> = Object.freeze({
  manufacturer: "",
  model: "",
  purchaseOrderIdentifier: "",
  addressableUserName: "",
  displayName: "",
  enrollmentState: "notContacted",
  deploymentProfileAssignmentStatus: "notAssigned",
  lastContactedAt: null,
  managedDeviceId: null,
  deletionRequestedAt: null,
});

export type RegisteredInput = Partial<
  Pick<
    RegisteredRecord,
    | "id" | "productKey" | "manufacturer" | "model" | "groupTag" | "userPrincipalName" | "addressableUserName" | "displayName"
    | "purchaseOrderIdentifier" | "enrollmentState" | "deploymentProfileAssignmentStatus"
  >
> & { readonly serialNumber: string; readonly lastContactedDateTime?: string | undefined };

/**
 * A registered windowsAutopilotDeviceIdentity. Compact because the emulator holds a million of them: the details an
 * import never sets live in a shared default object until a write (copy on write), and the Entra device id is derived
 * from the record's id instead of being a second GUID held.
 */
export class RegisteredRecord implements Sequenced {
  deleted = false;
  /** Registered by an import or a POST: its profile assignment follows the scenario's timeline from createdAt (profiles.ts). */
  profileTimeline = false;
  readonly serialNumber: string;
  readonly productKey: string;
  groupTag: string;
  userPrincipalName: string;
  private details: Readonly<RegisteredDetails> | RegisteredDetails;

  constructor(
    readonly id: string,
    readonly seq: number,
    input: RegisteredInput,
    readonly createdAt: number,
  ) {
    this.serialNumber = input.serialNumber;
    this.productKey = input.productKey ?? "";
    this.groupTag = input.groupTag ?? "";
    this.userPrincipalName = input.userPrincipalName ?? "";
    const details: RegisteredDetails = {
      manufacturer: input.manufacturer ?? "",
      model: input.model ?? "",
      purchaseOrderIdentifier: input.purchaseOrderIdentifier ?? "",
      addressableUserName: input.addressableUserName ?? "",
      displayName: input.displayName ?? "",
      enrollmentState: input.enrollmentState ?? "notContacted",
      deploymentProfileAssignmentStatus: input.deploymentProfileAssignmentStatus ?? "notAssigned",
      lastContactedAt: input.lastContactedDateTime === undefined ? null : Date.parse(input.lastContactedDateTime),
      managedDeviceId: null,
      deletionRequestedAt: null,
    };
    const isDefault = (Object.keys(details) as (keyof RegisteredDetails)[]).every((key) => details[key] === DEFAULT_DETAILS[key]);
    this.details = isDefault ? DEFAULT_DETAILS : details;
  }

  /** Upper-cased serial for `contains` scans (toUpperCase returns the same string, unallocated, when already upper case). */
  get serialUpper(): string {
    return this.serialNumber.toUpperCase();
  }

  /** The Entra device object's id: derived from the record's id (stable, unique), not a second GUID held per device. */
  get azureAdDeviceId(): string {
    return deriveGuid(this.id);
  }

  get manufacturer(): string { return this.details.manufacturer; }
  get model(): string { return this.details.model; }
  get purchaseOrderIdentifier(): string { return this.details.purchaseOrderIdentifier; }
  get addressableUserName(): string { return this.details.addressableUserName; }
  set addressableUserName(value: string) { this.own().addressableUserName = value; }
  get displayName(): string { return this.details.displayName; }
  set displayName(value: string) { this.own().displayName = value; }
  get enrollmentState(): EnrollmentState { return this.details.enrollmentState; }
  set enrollmentState(value: EnrollmentState) { this.own().enrollmentState = value; }
  get deploymentProfileAssignmentStatus(): ProfileAssignmentStatus { return this.details.deploymentProfileAssignmentStatus; }
  set deploymentProfileAssignmentStatus(value: ProfileAssignmentStatus) { this.own().deploymentProfileAssignmentStatus = value; }
  /** Epoch ms of the last contact; null: never (Graph shows 0001-01-01). */
  get lastContactedAt(): number | null { return this.details.lastContactedAt; }
  set lastContactedAt(value: number | null) { this.own().lastContactedAt = value; }
  /** The Intune managed device enrolled from this record, or null; it stays set after that record is deleted, as Intune's does. */
  get managedDeviceId(): string | null { return this.details.managedDeviceId; }
  set managedDeviceId(value: string | null) { this.own().managedDeviceId = value; }
  /** Emulated time of the DELETE that is removing this record (it lingers until processing.deletionLingerMs passes). */
  get deletionRequestedAt(): number | null { return this.details.deletionRequestedAt; }
  set deletionRequestedAt(value: number | null) { this.own().deletionRequestedAt = value; }

  private own(): RegisteredDetails {
    if (this.details === DEFAULT_DETAILS) this.details = { ...DEFAULT_DETAILS };
    return this.details as RegisteredDetails;
  }
}

/** A name-based GUID (version 5 layout) from the SHA-1 of `id`: well formed for any id, the same on every read. */
function deriveGuid(id: string): string {
  const bytes = hash("sha1", `azureAdDeviceId:${id}`, "buffer");
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = bytes.toString("hex", 0, 16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
