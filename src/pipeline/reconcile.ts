/**
 * After a submission whose outcome is unknown (timeout, reset, gateway error), finds out which devices the service
 * staged anyway, so that only the others are sent again: a device is never blindly resubmitted.
 */
import { ServiceError } from "../errors.js";
import type { ImportedDeviceIdentity } from "../graph/resources.js";
import { odataString, type ServiceCapabilities, type StagedApi } from "./staged-api.js";
import type { PendingDevice } from "./types.js";

export interface ReconcileDeps {
  readonly api: StagedApi;
  readonly capabilities: ServiceCapabilities;
  /** Estimated size of the staged collection (undefined before a full listing), to choose lookups or a listing. */
  readonly stagedEstimate: () => number | undefined;
  readonly signal?: AbortSignal;
}

const SERIAL_LOOKUPS_WHEN_UNKNOWN = 20;

/** A 400 answer: the service does not support what we asked (here, a filter). */
export function isBadRequest(error: unknown): error is ServiceError {
  return error instanceof ServiceError && error.status === 400;
}

/** Whether a staged record is this device's, submitted under this importId (records without importId match by serial). */
function belongsTo(record: ImportedDeviceIdentity, device: PendingDevice, importId: string): boolean {
  return record.serialNumber === device.device.serialNumber && (record.importId == null || record.importId === importId);
}

async function collect(
  pages: AsyncIterable<readonly ImportedDeviceIdentity[]>,
  wanted: Map<string, PendingDevice>,
  importId: string,
  found: Map<PendingDevice, ImportedDeviceIdentity>,
): Promise<void> {
  let matched = 0;
  for await (const page of pages) {
    for (const record of page) {
      const device = wanted.get(record.serialNumber);
      if (device && !found.has(device) && belongsTo(record, device, importId)) {
        found.set(device, record);
        matched += 1;
      }
    }
    if (matched === wanted.size) return; // everything accounted for: no need to read further pages
  }
}

/** The staged records among `devices` that the service holds under `importId`. */
export async function findStaged(
  importId: string,
  devices: readonly PendingDevice[],
  deps: ReconcileDeps,
): Promise<Map<PendingDevice, ImportedDeviceIdentity>> {
  const { api, capabilities, signal } = deps;
  const wanted = new Map(devices.map((d) => [d.device.serialNumber, d]));
  const found = new Map<PendingDevice, ImportedDeviceIdentity>();
  if (devices.length === 0) return found;

  if (capabilities.importIdFilter !== false) {
    try {
      await collect(api.list({ filter: `importId eq ${odataString(importId)}`, top: capabilities.pageSize, signal }), wanted, importId, found);
      capabilities.importIdFilter = true;
      return found;
    } catch (error) {
      if (!isBadRequest(error)) throw error;
      capabilities.importIdFilter = false;
    }
  }

  // No importId filter: one `contains` lookup per serial when that is fewer requests than listing everything
  // (with the collection's size unknown, up to one $batch worth of lookups).
  const estimate = deps.stagedEstimate();
  const listingPages = estimate === undefined ? SERIAL_LOOKUPS_WHEN_UNKNOWN : Math.ceil(Math.max(estimate, 1) / Math.max(1, capabilities.pageSize));
  if (devices.length <= listingPages) {
    for (const device of devices) {
      const filter = `contains(serialNumber,${odataString(device.device.serialNumber)})`;
      await collect(api.list({ filter, top: capabilities.pageSize, signal }), new Map([[device.device.serialNumber, device]]), importId, found);
    }
    return found;
  }
  await collect(api.list({ top: capabilities.pageSize, signal }), wanted, importId, found);
  return found;
}
