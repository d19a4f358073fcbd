import { OrderedIndex, type Sequenced } from "./ordered-index.js";

/** An Intune managed device (deviceManagement/managedDevices) enrolled from an Autopilot record. */
export interface ManagedRecord extends Sequenced {
  readonly id: string;
  readonly deviceName: string;
  readonly serialNumber: string;
  readonly manufacturer: string;
  readonly model: string;
  readonly azureADDeviceId: string;
  readonly userPrincipalName: string;
  readonly enrolledAt: number;
  /** The Autopilot record it was enrolled from. */
  readonly autopilotId: string;
}

export type ManagedInput = Omit<ManagedRecord, "seq" | "deleted">;

/** The tenant's Intune managed devices: by id, in creation order (paging). */
export class ManagedDeviceStore {
  readonly byId = new Map<string, ManagedRecord>();
  readonly order = new OrderedIndex<ManagedRecord>();
  readonly counters = { created: 0, deleted: 0 };

  constructor(private readonly nextSeq: () => number) {}

  add(input: ManagedInput): ManagedRecord {
    const record: ManagedRecord = { ...input, seq: this.nextSeq(), deleted: false };
    this.byId.set(record.id, record);
    this.order.add(record);
    this.counters.created += 1;
    return record;
  }

  delete(id: string): ManagedRecord | undefined {
    const record = this.byId.get(id);
    if (!record) return undefined;
    record.deleted = true;
    this.byId.delete(id);
    this.order.noteDeleted();
    this.counters.deleted += 1;
    return record;
  }

  clear(): void {
    this.byId.clear();
    this.order.clear();
    this.counters.created = 0;
    this.counters.deleted = 0;
  }
}
