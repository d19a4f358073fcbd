/**
 * What an `update` run goes through, one item per report row: a file's rows (by serial, looked up as they stream in),
 * or the devices a --where selector picks from the tenant's list (their current values come with the listing).
 */
import { REGISTERED_PATH, MAX_REGISTERED_PAGE } from "../after/registered.js";
import type { DeviceListReader } from "../devices/list-reader.js";
import type { OpJournal, OpRowKey } from "../devices/op-journal.js";
import { selects, type DeviceSelector } from "../export/selectors.js";
import type { GraphClient } from "../graph/client.js";
import type { AutopilotDeviceIdentity } from "../graph/resources.js";
import { wantedValues, type CurrentValues, type WantedValues } from "./changes.js";
import type { UpdateReportRow } from "./report.js";

/** A device the run may update; `current` is known for a --where run (from the listing), looked up by serial otherwise. */
export interface DeviceItem {
  readonly kind: "device";
  readonly key: OpRowKey;
  readonly file: string;
  readonly line: number | null;
  readonly serialNumber: string;
  readonly wanted: WantedValues;
  readonly current?: { readonly id: string; readonly values: CurrentValues } | undefined;
  /** For a --where run: the device was in flight when an earlier attempt stopped and no longer needs the selector to match. */
  readonly recheck?: boolean;
}

/** A row the reader refused (invalid, duplicate): already its report row. */
export interface RefusedItem {
  readonly kind: "refused";
  readonly row: UpdateReportRow;
}

export type UpdateItem = DeviceItem | RefusedItem;

/** A listed device's values the update compares. */
export function currentOf(device: AutopilotDeviceIdentity): { readonly id: string; readonly values: CurrentValues } {
  const text = (value: unknown): string | null => (typeof value === "string" ? value : null);
  return { id: device.id, values: { groupTag: text(device.groupTag), userPrincipalName: text(device.userPrincipalName), displayName: text(device["displayName"]) } };
}

/** A file run's items, in input order: a row's key is its file's index and its line. */
export async function* fileItems(reader: DeviceListReader, overrides: WantedValues): AsyncGenerator<UpdateItem> {
  for await (const row of reader.rows()) {
    const { file, line } = row.location;
    if (row.status === "valid") {
      const fileIndex = reader.files.findIndex((summary) => summary.path === file);
      yield { kind: "device", key: `${fileIndex}:${line}`, file, line, serialNumber: row.device.serialNumber, wanted: wantedValues(row.device, overrides) };
      continue;
    }
    yield { kind: "refused", row: { file, line, serialNumber: row.serialNumber, status: row.status, deviceId: "", changes: "", message: row.message } };
  }
}

/**
 * A --where run's items: first the devices an earlier attempt left in flight (they may no longer match once updated),
 * then every listed device the selector picks (or an earlier attempt of this run settled). The listing is streamed; only the selected devices' ids and current
 * values are kept, and no write goes out until the listing is complete (writes never race the pages).
 */
export async function whereItems(client: GraphClient, selector: DeviceSelector, overrides: WantedValues, journal: OpJournal | undefined, signal: AbortSignal): Promise<UpdateItem[]> {
  const inFlight = journal?.inFlight() ?? [];
  const seen = new Set(inFlight.map((intent) => intent.deviceId));
  const items: UpdateItem[] = inFlight.map((intent) => ({ kind: "device", key: intent.key, file: "", line: null, serialNumber: "", wanted: overrides, recheck: true }));
  for await (const page of client.pages<AutopilotDeviceIdentity>(`${REGISTERED_PATH}?$top=${MAX_REGISTERED_PAGE}`, { signal })) {
    for (const device of page.value) {
      // A device an earlier attempt finished may no longer match (its tag changed): its outcome is still its report row.
      if (seen.has(device.id) || (!selects(selector, device) && !journal?.outcomeOf(device.id))) continue;
      seen.add(device.id);
      items.push({ kind: "device", key: device.id, file: "", line: null, serialNumber: device.serialNumber, wanted: overrides, current: currentOf(device) });
    }
  }
  return items;
}
