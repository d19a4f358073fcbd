/**
 * The tenant's Entra ID directory as far as Autopilot touches it: a device object per registered Autopilot device
 * (created with the registration, gone with its deletion) and the scenario's groups with their members.
 * Device objects are derived from the registered records, not held twice: their index is built on first use and
 * caught up on each read, so a tenant of a million devices that never asks for the directory pays nothing.
 */
import { hash, randomUUID } from "node:crypto";
import type { Scenario } from "./scenario.js";
import type { DeviceStore, RegisteredRecord } from "./store.js";

export interface EntraDevice {
  /** The directory object id (what group members are). */
  readonly id: string;
  /** The device id: the Autopilot record's azureActiveDirectoryDeviceId. */
  readonly deviceId: string;
  readonly record: RegisteredRecord;
}

export interface GroupRecord {
  readonly id: string;
  readonly displayName: string;
  readonly description: string;
  /** Null for a static (assigned) group. */
  readonly membershipRule: string | null;
  readonly createdAt: number;
  /** Member object ids, in the order they were added. */
  readonly members: Set<string>;
}

/** A directory snapshot for tests: each group's members by serial, and how many references each member write carried. */
export interface DirectorySnapshot {
  readonly groups: ReadonlyArray<{ readonly id: string; readonly displayName: string; readonly dynamic: boolean; readonly memberSerials: readonly string[] }>;
  /** References per accepted write (PATCH members@odata.bind or POST members/$ref), in order. */
  readonly memberWrites: readonly number[];
  /** Member writes refused (existing reference, dynamic group, unknown object). */
  readonly memberWritesRefused: number;
}

/** A name-based GUID (version 5 layout) from the SHA-1 of `text`. */
function deriveGuid(text: string): string {
  const bytes = hash("sha1", text, "buffer");
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = bytes.toString("hex", 0, 16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export class DirectoryState {
  readonly groups = new Map<string, GroupRecord>();
  private readonly byObjectId = new Map<string, EntraDevice>();
  private readonly byDeviceId = new Map<string, EntraDevice>();
  private indexedSeq = 0;
  memberWrites: number[] = [];
  memberWritesRefused = 0;

  constructor(
    private readonly store: DeviceStore,
    private readonly now: () => number,
    private readonly scenario: () => Scenario,
  ) {}

  /** The scenario's groups, with their members (registered serials) as of now. */
  seed(): void {
    this.groups.clear();
    this.byObjectId.clear();
    this.byDeviceId.clear();
    this.indexedSeq = 0;
    this.memberWrites = [];
    this.memberWritesRefused = 0;
    const bySerial = new Map([...this.store.registered.values()].map((record) => [record.serialNumber.toUpperCase(), record]));
    for (const input of this.scenario().directory.groups) {
      const group: GroupRecord = {
        id: (input.id ?? randomUUID()).toLowerCase(),
        displayName: input.displayName,
        description: input.description,
        membershipRule: input.membershipRule ?? null,
        createdAt: this.now(),
        members: new Set(),
      };
      for (const serial of input.memberSerials) {
        const record = bySerial.get(serial.toUpperCase());
        if (record) group.members.add(objectIdOf(record));
      }
      this.groups.set(group.id, group);
    }
  }

  /** The device object of a live record, once the directory shows it (directory.deviceLagMs after registration). */
  private visible(device: EntraDevice | undefined): EntraDevice | undefined {
    if (!device || device.record.deleted) return undefined;
    return this.now() >= device.record.createdAt + this.scenario().directory.deviceLagMs ? device : undefined;
  }

  private catchUp(): void {
    const fresh = this.store.registeredOrder.page(this.indexedSeq, Number.MAX_SAFE_INTEGER).items;
    for (const record of fresh) {
      const device: EntraDevice = { id: objectIdOf(record), deviceId: record.azureAdDeviceId, record };
      this.byObjectId.set(device.id, device);
      this.byDeviceId.set(device.deviceId, device);
      this.indexedSeq = record.seq;
    }
  }

  deviceByObjectId(id: string): EntraDevice | undefined {
    this.catchUp();
    return this.visible(this.byObjectId.get(id.toLowerCase()));
  }

  deviceByDeviceId(deviceId: string): EntraDevice | undefined {
    this.catchUp();
    return this.visible(this.byDeviceId.get(deviceId.toLowerCase()));
  }

  /** Every visible device object, in registration order. */
  devices(): EntraDevice[] {
    this.catchUp();
    return [...this.byObjectId.values()].filter((device) => this.visible(device) !== undefined);
  }

  /** A group's members that still exist (a deleted device leaves its groups with it). */
  liveMembers(group: GroupRecord): EntraDevice[] {
    const out: EntraDevice[] = [];
    for (const id of group.members) {
      const device = this.deviceByObjectId(id);
      if (device) out.push(device);
      else if (!this.byObjectId.get(id) || this.byObjectId.get(id)?.record.deleted) group.members.delete(id);
    }
    return out;
  }

  snapshot(): DirectorySnapshot {
    return {
      groups: [...this.groups.values()].map((group) => ({
        id: group.id,
        displayName: group.displayName,
        dynamic: group.membershipRule !== null,
        memberSerials: this.liveMembers(group).map((device) => device.record.serialNumber),
      })),
      memberWrites: [...this.memberWrites],
      memberWritesRefused: this.memberWritesRefused,
    };
  }
}

/** The Entra device object id of a registered record: derived, stable, distinct from its device id. */
export function objectIdOf(record: RegisteredRecord): string {
  return deriveGuid(`entraObjectId:${record.id}`);
}
