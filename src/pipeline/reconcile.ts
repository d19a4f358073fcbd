/**
 * After a submission whose outcome is unknown (timeout, reset, gateway error), finds out which devices the service
 * staged anyway, so that only the others are sent again: a device is never blindly resubmitted.
 *
 * With an importId the service keeps, `importId eq` proves what landed. Without one (a public report shows the service
 * storing the record's own id there), a device's record is found by serial number: an exact match on our side, staged
 * after the run began (not in the baseline) and not claimed by another of our devices. When that cannot be proven
 * either way, the device is `unknown`: reported failed ("check before re-importing") rather than submitted twice.
 */
import { ServiceError } from "../errors.js";
import type { ImportedDeviceIdentity } from "../graph/resources.js";
import { learnHyphenRefusal, serialContainsFilter } from "../graph/serial-filter.js";
import { odataString, type ServiceCapabilities, type StagedApi } from "./staged-api.js";
import type { UnconfirmedUpload } from "./journal-port.js";
import type { PendingDevice } from "./types.js";

export interface ReconcileDeps {
  readonly api: StagedApi;
  readonly capabilities: ServiceCapabilities;
  /** Estimated size of the staged collection (undefined before a full listing), to choose lookups or a listing. */
  readonly stagedEstimate: () => number | undefined;
  readonly signal?: AbortSignal;
}

export interface Reconciled {
  /** Devices the service staged, with their records. */
  readonly staged: Map<PendingDevice, ImportedDeviceIdentity>;
  /** Devices that may or may not have been staged: never sent again. The rest were not staged. */
  readonly unknown: PendingDevice[];
}

const SERIAL_LOOKUPS_WHEN_UNKNOWN = 20;

/** A 400 answer: the service does not support what we asked (here, a filter). */
export function isBadRequest(error: unknown): error is ServiceError {
  return error instanceof ServiceError && error.status === 400;
}

/** The report message for a device whose submission cannot be proven to have landed or not. */
export const OUTCOME_UNKNOWN_MESSAGE =
  "outcome unknown: the service's answer to this device's submission was lost and it does not keep the upload id that would prove whether it landed; not sent again to avoid a duplicate. Check Intune (Devices > Enrollment > Windows Autopilot devices, and the import status) before re-importing this row";

/**
 * The staged records among `devices` that the service holds for the upload `importId`, and the devices in doubt. With
 * `recovery` (rows a damaged journal no longer accounts for), `importId` was never sent: they are found by serial only.
 */
export async function findStaged(importId: string, devices: readonly PendingDevice[], deps: ReconcileDeps, recovery?: UnconfirmedUpload["recovery"]): Promise<Reconciled> {
  const { capabilities } = deps;
  const { traits } = capabilities;
  const staged = new Map<PendingDevice, ImportedDeviceIdentity>();
  if (devices.length === 0) return { staged, unknown: [] };

  if (!recovery && traits.get("importIdKept") !== false && capabilities.importIdFilter !== false) {
    const byImportId = await listByImportId(importId, devices, deps);
    if (byImportId) {
      for (const [device, record] of byImportId) staged.set(device, record);
      // Records carrying our importId show the service keeps it: from then on the filter is proof of absence.
      if (byImportId.size > 0) traits.learn("importIdKept", true);
      if (staged.size === devices.length || traits.get("importIdKept") === true) return claim(staged, [], capabilities);
    }
  }

  const rest = devices.filter((device) => !staged.has(device));
  const bySerial = await recordsBySerial(rest, deps);
  const unknown: PendingDevice[] = [];
  for (const device of rest) {
    const records = (bySerial.get(serialKey(device.device.serialNumber)) ?? []).filter((record) => !capabilities.claimed.has(record.id));
    const verdict = recovery ? judgeRecovered(records, recovery.knownUploads, capabilities) : judge(records, importId, capabilities);
    if (verdict === "unknown") unknown.push(device);
    else if (verdict !== "absent") staged.set(device, verdict);
  }
  return claim(staged, unknown, capabilities);
}

/** What a device's records found by serial number say: its record, none staged, or no way to tell. */
function judge(records: readonly ImportedDeviceIdentity[], importId: string, capabilities: ServiceCapabilities): ImportedDeviceIdentity | "absent" | "unknown" {
  const { traits, baseline } = capabilities;
  if (traits.get("importIdKept") === true) return records.find((record) => record.importId === importId) ?? "absent";
  const tagged = records.find((record) => record.importId === importId);
  if (tagged) {
    traits.learn("importIdKept", true);
    return tagged;
  }
  if (records.length === 0) return "absent";
  if (!baseline) return "unknown"; // records with this serial exist, and nothing tells an older one from ours
  const fresh = records.filter((record) => !baseline.has(record.id));
  if (fresh.length === 0) return "absent";
  if (fresh.length > 1) return "unknown"; // two new records of one serial: someone else staged it too
  const [record] = fresh as [ImportedDeviceIdentity];
  if (record.importId != null && record.importId !== importId) traits.learn("importIdKept", false);
  return record;
}

/**
 * A row of a damaged journal: its record is ours when it carries one of the run's upload ids, or (the id not kept) is
 * the one record staged since the run began; with records of its serial that prove neither, it is in doubt.
 */
function judgeRecovered(records: readonly ImportedDeviceIdentity[], knownUploads: ReadonlySet<string>, capabilities: ServiceCapabilities): ImportedDeviceIdentity | "absent" | "unknown" {
  if (records.length === 0) return "absent";
  const tagged = records.filter((record) => record.importId != null && knownUploads.has(record.importId));
  if (tagged.length === 1) return tagged[0]!;
  if (tagged.length > 1 || capabilities.traits.get("importIdKept") === true || !capabilities.baseline) return "unknown";
  const fresh = records.filter((record) => !capabilities.baseline!.has(record.id));
  if (fresh.length === 0) return "absent";
  return fresh.length === 1 ? fresh[0]! : "unknown";
}

function claim(staged: Map<PendingDevice, ImportedDeviceIdentity>, unknown: PendingDevice[], capabilities: ServiceCapabilities): Reconciled {
  for (const record of staged.values()) capabilities.claimed.add(record.id);
  return { staged, unknown };
}

/** Serial numbers compare without case (the service's own comparison) and surrounding spaces. */
function serialKey(serial: string | null | undefined): string {
  return (serial ?? "").trim().toUpperCase();
}

/** `importId eq` listing; undefined when the service refuses the filter (learned). */
async function listByImportId(importId: string, devices: readonly PendingDevice[], deps: ReconcileDeps): Promise<Map<PendingDevice, ImportedDeviceIdentity> | undefined> {
  const { api, capabilities, signal } = deps;
  const wanted = new Map(devices.map((device) => [serialKey(device.device.serialNumber), device]));
  const found = new Map<PendingDevice, ImportedDeviceIdentity>();
  try {
    for await (const page of api.list({ filter: `importId eq ${odataString(importId)}`, top: capabilities.pageSize, signal })) {
      for (const record of page) {
        const device = wanted.get(serialKey(record.serialNumber));
        if (device && !found.has(device) && record.importId === importId) found.set(device, record);
      }
      if (found.size === wanted.size) break; // everything accounted for: no need to read further pages
    }
    capabilities.importIdFilter = true;
    return found;
  } catch (error) {
    if (!isBadRequest(error)) throw error;
    capabilities.importIdFilter = false;
    return undefined;
  }
}

/**
 * Every staged record whose serial is exactly one of the devices', by key: one `contains` lookup per serial when that
 * is fewer requests than listing the collection (with its size unknown, up to one $batch worth), else one listing.
 */
async function recordsBySerial(devices: readonly PendingDevice[], deps: ReconcileDeps): Promise<Map<string, ImportedDeviceIdentity[]>> {
  const { api, capabilities, signal } = deps;
  const wanted = new Set(devices.map((device) => serialKey(device.device.serialNumber)));
  const out = new Map<string, ImportedDeviceIdentity[]>();
  const keep = (record: ImportedDeviceIdentity): void => {
    const key = serialKey(record.serialNumber);
    if (!wanted.has(key)) return;
    const list = out.get(key) ?? [];
    if (!list.some((known) => known.id === record.id)) list.push(record);
    out.set(key, list);
  };
  if (devices.length === 0) return out;
  // Before a full listing, the baseline and our own records bound the collection's size.
  const estimate = deps.stagedEstimate() ?? (capabilities.baseline ? capabilities.baseline.size + capabilities.claimed.size : undefined);
  const listingPages = estimate === undefined ? SERIAL_LOOKUPS_WHEN_UNKNOWN : Math.ceil(Math.max(estimate, 1) / Math.max(1, capabilities.pageSize));
  let listAll = devices.length > listingPages;
  if (!listAll) {
    for (const device of devices) {
      const serial = device.device.serialNumber;
      const filter = serialContainsFilter(serial, capabilities.traits);
      if (filter === undefined) {
        listAll = true;
        break;
      }
      try {
        for await (const page of api.list({ filter, top: capabilities.pageSize, signal })) page.forEach(keep);
      } catch (error) {
        if (!learnHyphenRefusal(error, serial, capabilities.traits)) throw error;
        const fallback = serialContainsFilter(serial, capabilities.traits);
        if (fallback === undefined) {
          listAll = true;
          break;
        }
        for await (const page of api.list({ filter: fallback, top: capabilities.pageSize, signal })) page.forEach(keep);
      }
    }
  }
  if (listAll) for await (const page of api.list({ top: capabilities.pageSize, signal })) page.forEach(keep);
  return out;
}
