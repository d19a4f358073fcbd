import type { UploadStatus } from "../graph/resources.js";
import { keepHash, type HashStorage } from "./hash-storage.js";
import { ManagedDeviceStore } from "./managed-store.js";
import { OrderedIndex, type Sequenced } from "./ordered-index.js";
import { RegisteredRecord, type RegisteredInput } from "./registered-record.js";
import { SequenceIds } from "./sequence-ids.js";
import { StagedById, StagedRecord } from "./staged-record.js";

export { RegisteredRecord, type RegisteredInput } from "./registered-record.js";
export { StagedRecord } from "./staged-record.js";

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

export type StagedInput = Pick<StagedRecord, "serialNumber" | "productKey" | "groupTag" | "assignedUserPrincipalName" | "importId"> & {
  readonly hardwareIdentifier: string | null;
};

/** The records staged with one importId; `importId` is the one string every one of them shares. */
interface ImportGroup {
  readonly importId: string;
  readonly records: OrderedIndex<StagedRecord>;
}

/** Serials are compared case-insensitively, as the device directory does. */
export const serialKey = (serial: string): string => serial.trim().toUpperCase();

/**
 * Everything the tenant holds, with the indexes the routes need: by id (a Map; staged records by the sequence number
 * their id names), insertion order (paging), by importId and by serial. Memory is proportional to the records held.
 */
export class DeviceStore {
  readonly stagedOrder = new OrderedIndex<StagedRecord>();
  private readonly stagedIds = new SequenceIds();
  readonly staged = new StagedById(this.stagedOrder, this.stagedIds);
  private readonly stagedByImportId = new Map<string, ImportGroup>();
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

  addStaged(input: StagedInput, options: { uploadId: string | null; duplicateInSubmission: boolean; hashStorage: HashStorage }): StagedRecord {
    const group = input.importId === null ? undefined : this.importGroup(input.importId);
    const record = new StagedRecord(this.stagedIds, ++this.seq, {
      serialNumber: input.serialNumber,
      productKey: input.productKey,
      hash: keepHash(input.hardwareIdentifier, options.hashStorage),
      groupTag: input.groupTag,
      assignedUserPrincipalName: input.assignedUserPrincipalName,
      // The group's string, not this request's copy: the 500 records of an import share one.
      importId: group?.importId ?? null,
      uploadId: options.uploadId,
      duplicateInSubmission: options.duplicateInSubmission,
    });
    this.stagedOrder.add(record);
    group?.records.add(record);
    if (record.uploadId !== null) this.uploads.get(record.uploadId)?.members.add(record);
    this.counters.stagedCreated += 1;
    return record;
  }

  stagedWithImportId(importId: string): OrderedIndex<StagedRecord> | undefined {
    return this.stagedByImportId.get(importId)?.records;
  }

  private importGroup(importId: string): ImportGroup {
    let group = this.stagedByImportId.get(importId);
    if (!group) this.stagedByImportId.set(importId, (group = { importId, records: new OrderedIndex() }));
    return group;
  }

  deleteStaged(id: string): StagedRecord | undefined {
    const record = this.staged.get(id);
    if (!record) return undefined;
    record.deleted = true;
    this.stagedOrder.noteDeleted();
    if (record.importId !== null) {
      const index = this.stagedByImportId.get(record.importId)?.records;
      index?.noteDeleted();
      if (index && index.size === 0) this.stagedByImportId.delete(record.importId);
    }
    if (record.uploadId !== null) this.uploads.get(record.uploadId)?.members.noteDeleted();
    this.counters.stagedDeleted += 1;
    return record;
  }

  register(input: RegisteredInput, now: number): RegisteredRecord {
    const id = input.id ?? this.newId();
    const record = new RegisteredRecord(id, ++this.seq, input, now);
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
