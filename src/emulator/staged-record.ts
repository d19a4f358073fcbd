import type { DeviceImportStatus } from "../graph/resources.js";
import type { OrderedIndex, Sequenced } from "./ordered-index.js";
import type { SequenceIds } from "./sequence-ids.js";

/** What few staged records carry (most imports send none of it); records without any share one object. */
interface StagedExtras {
  readonly productKey: string | null;
  readonly assignedUserPrincipalName: string | null;
  /** The upload this record belongs to (beta uploads resource), if any. */
  readonly uploadId: string | null;
}

const NO_EXTRAS: StagedExtras = Object.freeze({ productKey: null, assignedUserPrincipalName: null, uploadId: null });

export interface StagedFields {
  readonly serialNumber: string | null;
  readonly productKey: string | null;
  /** As kept (hash-storage.ts): the hash, or in digest mode its digest. */
  readonly hash: string | null;
  readonly groupTag: string | null;
  readonly assignedUserPrincipalName: string | null;
  readonly importId: string | null;
  readonly uploadId: string | null;
  readonly duplicateInSubmission: boolean;
}

/**
 * A staged importedWindowsAutopilotDeviceIdentity as the emulator holds it: a class with one hidden class for every
 * record (scans stay cheap), its id derived from its sequence number and the rarely sent properties in a shared
 * object, since a million of them may be held.
 */
export class StagedRecord implements Sequenced {
  deleted = false;
  readonly serialNumber: string | null;
  /** The hardware hash, or in digest mode its digest (hash-storage.ts): compare it, show it through shownHash. */
  readonly hash: string | null;
  readonly groupTag: string | null;
  readonly importId: string | null;
  /** Repeats a hash seen earlier in the same submission: ends ZtdDeviceDuplicated. */
  duplicateInSubmission: boolean;
  status: DeviceImportStatus = "unknown";
  registrationId: string | null = null;
  errorCode = 0;
  errorName: string | null = null;
  private readonly extras: StagedExtras;

  constructor(
    private readonly ids: SequenceIds,
    readonly seq: number,
    fields: StagedFields,
  ) {
    this.serialNumber = fields.serialNumber;
    this.hash = fields.hash;
    this.groupTag = fields.groupTag;
    this.importId = fields.importId;
    this.duplicateInSubmission = fields.duplicateInSubmission;
    const { productKey, assignedUserPrincipalName, uploadId } = fields;
    this.extras = productKey === null && assignedUserPrincipalName === null && uploadId === null ? NO_EXTRAS : { productKey, assignedUserPrincipalName, uploadId };
  }

  /** Made from `seq` on each read (sequence-ids.ts): no id string held per record. */
  get id(): string {
    return this.ids.format(this.seq);
  }

  /** Upper-cased serial for `contains` scans (toUpperCase returns the same string, unallocated, when already upper case). */
  get serialUpper(): string {
    return (this.serialNumber ?? "").toUpperCase();
  }

  get productKey(): string | null {
    return this.extras.productKey;
  }

  get assignedUserPrincipalName(): string | null {
    return this.extras.assignedUserPrincipalName;
  }

  get uploadId(): string | null {
    return this.extras.uploadId;
  }
}

/** The staged records by id, without a map: the id names the sequence number, found by binary search in `order`. */
export class StagedById {
  constructor(
    private readonly order: OrderedIndex<StagedRecord>,
    private readonly ids: SequenceIds,
  ) {}

  get size(): number {
    return this.order.size;
  }

  get(id: string): StagedRecord | undefined {
    const seq = this.ids.parse(id);
    return seq === undefined ? undefined : this.order.bySeq(seq);
  }

  values(): IterableIterator<StagedRecord> {
    return this.order[Symbol.iterator]();
  }
}
