/**
 * Staged records of another import carrying serials this run is about to submit: another run of the same input with
 * a different state directory, or a run of this input before it was edited (a new run key), got there first. Found
 * from the listing the service probe takes anyway before a new run sends anything; told once, with what to do.
 *
 * Such rows are still submitted (only warned about): a staged record carries no owner and no time, so it may be an
 * abandoned run's leftover as well as a concurrent run's, and the service refuses a second registration of the same
 * device (806: reported already_registered), so submitting again never registers a device twice.
 */
import type { ImportedDeviceIdentity } from "../graph/resources.js";
import type { PendingDevice } from "./types.js";

const key = (serial: string): string => serial.trim().toUpperCase();

export class StagedElsewhere {
  /** Serial key → the importId of another import's staged record. */
  readonly #bySerial = new Map<string, string>();
  #warned = false;
  /** Devices of this run found staged by another import so far. */
  found = 0;

  /** Notes records staged before this run sent anything; a failed one (error) is no reason to hold back. */
  note(records: readonly ImportedDeviceIdentity[]): void {
    for (const record of records) {
      if (record.state?.deviceImportStatus === "error" || typeof record.serialNumber !== "string") continue;
      this.#bySerial.set(key(record.serialNumber), record.importId ?? record.id);
    }
  }

  /**
   * Checks the devices of an upload about to be sent; `warn` is called for the first upload with such devices only
   * (one line per run), later ones just count.
   */
  check(devices: readonly PendingDevice[], warn: (fields: Record<string, unknown>, message: string) => void): void {
    if (this.#bySerial.size === 0) return;
    const importIds = new Set<string>();
    let count = 0;
    for (const { device } of devices) {
      const importId = this.#bySerial.get(key(device.serialNumber));
      if (importId === undefined) continue;
      count += 1;
      importIds.add(importId);
    }
    if (count === 0) return;
    this.found += count;
    if (this.#warned) return;
    this.#warned = true;
    warn(
      { devices: count, importIds: [...importIds].slice(0, 5) },
      `${count} device(s) about to be submitted are already staged by another import (another run of this input with a different --state-dir, ` +
        "or a run before the input was edited): they are submitted again and Graph reports the ones it registered as already_registered. " +
        "Let the other run finish, run one import per input with one state directory, and resume an interrupted run with the same command",
    );
  }
}
