import type { DeviceImportStatus, UploadStatus } from "../graph/resources.js";
import { ManagedDeviceStore } from "./managed-store.js";
import { OrderedIndex, type Sequenced } from "./ordered-index.js";
import type { RegisteredInput, RegisteredRecord } from "./registered-record.js";

export type { RegisteredInput, RegisteredRecord } from "./registered-record.js";

/** A staged importedWindowsAutopilotDeviceIdentity as the emulator holds it. */
export interface StagedRecord extends Sequenced {
  readonly id: string;
  readonly serialNumber: string | null;
  /** Upper-cased serial, computed once so `contains` scans allocate nothing. */
  readonly serialUpper: string;
  readonly productKey: string | null;
  readonly hardwareIdentifier: string | null;
  readonly groupTag: string | null;
  readonly assignedUserPrincipalName: string | null;
  readonly importId: string | null;
  /** The upload this record belongs to (beta uploads resource), if any. */
  readonly uploadId: string | null;
  /** Repeats a hash seen earlier in the same submission: ends ZtdDeviceDuplicated. */
  duplicateInSubmission: boolean;
  status: DeviceImportStatus;
  registrationId: string | null;
  errorCode: number;
  errorName: string | null;
}

/** A beta importedWindowsAutopilotDeviceIdentityUpload. */
export interface UploadRecord extends Sequenced {
  readonly id: string;
  readonly createdAt: number;
  status: UploadStatus;
  readonly members: OrderedIndex<StagedRecord>;
  /** Members not yet in a final state (counted once the upload is imported). */
  outstanding: number;
  /** Members that ended `error`. */
  failed: number;
}

export type StagedInput = Pick<
  StagedRecord,
  "serialNumber" | "productKey" | "hardwareIdentifier" | "groupTag" | "assignedUserPrincipalName" | "importId"
>;

/** Serials are compared case-insensitively, as the device directory does. */
export const serialKey = (serial: string): string => serial.trim().toUpperCase();

/**
 * Everything the tenant holds, with the indexes the routes need: by id (Map), insertion order (paging),
 * by importId and by serial. Memory is proportional to the records held.
 */
export class DeviceStore {
  readonly staged = new Map<string, StagedRecord>();
  readonly stagedOrder = new OrderedIndex<StagedRecord>();
  private readonly stagedByImportId = new Map<string, OrderedIndex<StagedRecord>>();
  readonly registered = new Map<string, RegisteredRecord>();
  readonly registeredOrder = new OrderedIndex<RegisteredRecord>();
  private readonly registeredBySerial = new Map<string, RegisteredRecord>();
  /** Serials completed but not yet visible (registration lag): already "assigned" for 806 purposes. */
  private readonly reservedSerials = new Set<string>();
  readonly managed = new ManagedDeviceStore(() => ++this.seq);
  readonly uploads = new Map<string, UploadRecord>();
  readonly uploadOrder = new OrderedIndex<UploadRecord>();
  /** registeredDeleteRequests: DELETEs accepted (a lingering record's repeat included); updates: updateDeviceProperties accepted / applied after the lag. */
  /** updateDeviceProperties accepted per registered device id (tests check nothing was written twice). */
  readonly updatesById = new Map<string, number>();
  readonly counters = { stagedCreated: 0, stagedDeleted: 0, registeredCreated: 0, registeredDeleted: 0, registeredDeleteRequests: 0, updatesAccepted: 0, updatesApplied: 0, userUnassigns: 0, uploadsCreated: 0, uploadsDeleted: 0 };
  private seq = 0;

  constructor(private readonly newId: () => string) {}

  /** A fresh GUID for a device that will be registered later. */
  newDeviceId(): string {
    return this.newId();
  }

  addStaged(input: StagedInput, options: { uploadId: string | null; duplicateInSubmission: boolean }): StagedRecord {
    // An explicit literal (not a spread) keeps every record on one fast hidden class: scans stay cheap.
    const record: StagedRecord = {
      serialNumber: input.serialNumber,
      productKey: input.productKey,
      hardwareIdentifier: input.hardwareIdentifier,
      groupTag: input.groupTag,
      assignedUserPrincipalName: input.assignedUserPrincipalName,
      importId: input.importId,
      serialUpper: (input.serialNumber ?? "").toUpperCase(),
      id: this.newId(),
      seq: ++this.seq,
      deleted: false,
      uploadId: options.uploadId,
      duplicateInSubmission: options.duplicateInSubmission,
      status: "unknown",
      registrationId: null,
      errorCode: 0,
      errorName: null,
    };
    this.staged.set(record.id, record);
    this.stagedOrder.add(record);
    if (record.importId !== null) {
      let index = this.stagedByImportId.get(record.importId);
      if (!index) this.stagedByImportId.set(record.importId, (index = new OrderedIndex()));
      index.add(record);
    }
    if (record.uploadId !== null) this.uploads.get(record.uploadId)?.members.add(record);
    this.counters.stagedCreated += 1;
    return record;
  }

  stagedWithImportId(importId: string): OrderedIndex<StagedRecord> | undefined {
    return this.stagedByImportId.get(importId);
  }

  deleteStaged(id: string): StagedRecord | undefined {
    const record = this.staged.get(id);
    if (!record) return undefined;
    record.deleted = true;
    this.staged.delete(id);
    this.stagedOrder.noteDeleted();
    if (record.importId !== null) {
      const index = this.stagedByImportId.get(record.importId);
      index?.noteDeleted();
      if (index && index.size === 0) this.stagedByImportId.delete(record.importId);
    }
    if (record.uploadId !== null) this.uploads.get(record.uploadId)?.members.noteDeleted();
    this.counters.stagedDeleted += 1;
    return record;
  }

  register(input: RegisteredInput, now: number): RegisteredRecord {
    const id = input.id ?? this.newId();
    const record: RegisteredRecord = {
      id,
      seq: ++this.seq,
      deleted: false,
      serialNumber: input.serialNumber,
      serialUpper: input.serialNumber.toUpperCase(),
      productKey: input.productKey ?? "",
      manufacturer: input.manufacturer ?? "",
      model: input.model ?? "",
      azureAdDeviceId: this.newId(),
      createdAt: now,
      groupTag: input.groupTag ?? "",
      userPrincipalName: input.userPrincipalName ?? "",
      addressableUserName: input.addressableUserName ?? "",
      displayName: input.displayName ?? "",
      purchaseOrderIdentifier: input.purchaseOrderIdentifier ?? "",
      enrollmentState: input.enrollmentState ?? "notContacted",
      deploymentProfileAssignmentStatus: input.deploymentProfileAssignmentStatus ?? "notAssigned",
      lastContactedAt: input.lastContactedDateTime === undefined ? null : Date.parse(input.lastContactedDateTime),
      managedDeviceId: null,
      deletionRequestedAt: null,
    };
    this.registered.set(id, record);
    this.registeredOrder.add(record);
    this.registeredBySerial.set(serialKey(record.serialNumber), record);
    this.reservedSerials.delete(serialKey(record.serialNumber));
    this.counters.registeredCreated += 1;
    return record;
  }

  /** Whether the serial is registered (or completing) in this tenant. */
  isSerialAssigned(serial: string): boolean {
    const key = serialKey(serial);
    return this.registeredBySerial.has(key) || this.reservedSerials.has(key);
  }

  reserveSerial(serial: string): void {
    this.reservedSerials.add(serialKey(serial));
  }

  deleteRegistered(id: string): RegisteredRecord | undefined {
    const record = this.registered.get(id);
    if (!record) return undefined;
    record.deleted = true;
    this.registered.delete(id);
    this.registeredOrder.noteDeleted();
    const key = serialKey(record.serialNumber);
    if (this.registeredBySerial.get(key) === record) this.registeredBySerial.delete(key);
    this.counters.registeredDeleted += 1;
    return record;
  }

  addUpload(now: number): UploadRecord {
    const upload: UploadRecord = {
      id: this.newId(),
      seq: ++this.seq,
      deleted: false,
      createdAt: now,
      status: "noUpload",
      members: new OrderedIndex(),
      outstanding: 0,
      failed: 0,
    };
    this.uploads.set(upload.id, upload);
    this.uploadOrder.add(upload);
    this.counters.uploadsCreated += 1;
    return upload;
  }

  deleteUpload(id: string): UploadRecord | undefined {
    const upload = this.uploads.get(id);
    if (!upload) return undefined;
    // Deleting an upload deletes the device identities it contains.
    for (const member of [...upload.members]) this.deleteStaged(member.id);
    upload.deleted = true;
    this.uploads.delete(id);
    this.uploadOrder.noteDeleted();
    this.counters.uploadsDeleted += 1;
    return upload;
  }

  clear(): void {
    this.staged.clear();
    this.stagedOrder.clear();
    this.stagedByImportId.clear();
    this.registered.clear();
    this.registeredOrder.clear();
    this.registeredBySerial.clear();
    this.reservedSerials.clear();
    this.managed.clear();
    this.uploads.clear();
    this.uploadOrder.clear();
    this.updatesById.clear();
    for (const key of Object.keys(this.counters) as (keyof typeof this.counters)[]) this.counters[key] = 0;
  }
}
