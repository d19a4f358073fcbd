/**
 * The registration check: confirms that imported devices exist in windowsAutopilotDeviceIdentities, re-checking the
 * missing ones with growing waits until a deadline (registration can lag the import). Each round picks the cheaper
 * of batched lookups and a full listing (verify-strategy.ts).
 */
import { sleep as realSleep } from "../util/abort.js";
import type { GraphClient } from "../graph/client.js";
import { ServiceError } from "../errors.js";
import type { AutopilotDeviceIdentity } from "../graph/resources.js";
import type { GraphPage } from "../graph/types.js";
import { nextBackoff, waitWithinDeadline, type BackoffPolicy } from "../util/backoff.js";
import { byIdRequest, bySerialRequest, idLookup, MAX_REGISTERED_PAGE, registeredPages, serialKey, serialLookup } from "./registered.js";
import { chooseVerifyStrategy, listingBudget, registeredEstimate, type VerifyStrategy } from "./verify-strategy.js";
import type { AfterRuntime } from "./types.js";
import type { Registered } from "../pipeline/types.js";

/** yes: found; no: looked for and not found by the deadline; unchecked: never looked for (or every look failed). */
export type { Registered };

export interface VerifyTarget {
  readonly serialNumber: string;
  /** The staged record's deviceRegistrationId when known (empty or absent: look up by serial). */
  readonly deviceRegistrationId?: string | undefined;
}

export interface VerifyResult {
  readonly registered: Registered;
  /** The registered device's id, when found. */
  readonly deviceId?: string;
}

export interface VerifyStats {
  rounds: number;
  /** HTTP requests sent ($batch counts once). */
  requests: number;
  byStrategy: Record<VerifyStrategy, number>;
}

export interface VerifyOutcome {
  /** One per target, in order. */
  readonly results: VerifyResult[];
  readonly stats: VerifyStats;
}

export const DEFAULT_VERIFY_TIMEOUT_MS = 10 * 60_000;
/** Registration usually follows the import within a minute or two. */
export const DEFAULT_VERIFY_POLL: BackoffPolicy = { minMs: 5_000, maxMs: 60_000, factor: 2 };

export interface VerifyOptions extends AfterRuntime {
  /** How long to keep re-checking missing devices. Default 10 min; 0 checks once. */
  readonly maxWaitMs?: number;
  readonly poll?: Partial<BackoffPolicy>;
  /** $top for listings; default (and maximum asked for) 1000. */
  readonly pageSize?: number;
}

interface Entry {
  readonly index: number;
  readonly serial: string;
  readonly id: string | undefined;
  /** A look at this device completed (found or definitely absent). */
  checked: boolean;
  /** Its id answered 404 at least once (the ids may differ: the final look goes by serial). */
  idMissed: boolean;
  /** Looked for by serial at least once. */
  serialTried: boolean;
}

export async function verifyRegistration(client: GraphClient, targets: readonly VerifyTarget[], options: VerifyOptions = {}): Promise<VerifyOutcome> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? realSleep;
  const signal = options.signal ?? new AbortController().signal;
  const poll: BackoffPolicy = { ...DEFAULT_VERIFY_POLL, ...options.poll };
  const deadline = now() + (options.maxWaitMs ?? DEFAULT_VERIFY_TIMEOUT_MS);
  const requestsAtStart = client.stats.requests;
  const results: VerifyResult[] = targets.map(() => ({ registered: "unchecked" }));
  const pending = new Map<number, Entry>();
  for (const [index, target] of targets.entries()) {
    const id = target.deviceRegistrationId ? target.deviceRegistrationId : undefined;
    pending.set(index, { index, serial: target.serialNumber, id, checked: false, idMissed: false, serialTried: false });
  }
  const stats: VerifyStats = { rounds: 0, requests: 0, byStrategy: { targeted: 0, list: 0 } };
  let pageSize = Math.min(options.pageSize ?? MAX_REGISTERED_PAGE, MAX_REGISTERED_PAGE);
  /** Registered devices in the tenant: counted by the last complete listing, or a lower bound from a cut-off one. */
  let tenantSize: number | undefined;

  const found = (entry: Entry, device: AutopilotDeviceIdentity): void => {
    results[entry.index] = { registered: "yes", deviceId: device.id };
    pending.delete(entry.index);
  };

  /** Batched lookups of these entries: by id when known (unless `bySerial`), else by serial. */
  const targeted = async (entries: readonly Entry[], bySerial: boolean): Promise<void> => {
    const useId = (entry: Entry): boolean => entry.id !== undefined && !bySerial;
    const answers = await client.batch(entries.map((e) => (useId(e) ? byIdRequest(e.id!) : bySerialRequest(e.serial, client.traits))), { signal });
    for (const [i, entry] of entries.entries()) {
      const answer = answers[i]!;
      if (useId(entry)) {
        const lookup = idLookup(answer);
        if (!lookup.ok) continue;
        entry.checked = true;
        if (lookup.value) found(entry, lookup.value);
        else entry.idMissed = true;
        continue;
      }
      entry.serialTried = true;
      const lookup = await serialLookup(client, entry.serial, answer, signal);
      if (!lookup.ok) continue;
      entry.checked = true;
      const [device] = lookup.value;
      if (device) found(entry, device);
    }
  };

  /** Pages through every registered device; false when it stopped before the end with devices still missing. */
  const listing = async (budget: number): Promise<boolean> => {
    const bySerial = new Map<string, Entry[]>();
    const byId = new Map<string, Entry>();
    for (const entry of pending.values()) {
      const key = serialKey(entry.serial);
      bySerial.set(key, [...(bySerial.get(key) ?? []), entry]);
      if (entry.id !== undefined) byId.set(entry.id, entry);
    }
    const match = (page: GraphPage<AutopilotDeviceIdentity>): void => {
      for (const device of page.value) {
        const byItsId = byId.get(device.id);
        const entries = byItsId ? [byItsId] : (bySerial.get(serialKey(String(device.serialNumber ?? ""))) ?? []);
        for (const entry of entries) if (pending.has(entry.index)) found(entry, device);
      }
    };
    let pages = 0;
    let total = 0;
    try {
      for await (const page of registeredPages(client, pageSize, signal)) {
        pages += 1;
        total += page.value.length;
        const more = Boolean(page["@odata.nextLink"]);
        // A full first page shorter than asked shows the service's real page size.
        if (pages === 1 && more && page.value.length > 0 && page.value.length < pageSize) pageSize = page.value.length;
        match(page);
        if (pending.size === 0) return true;
        if (more && pages >= budget) {
          tenantSize = Math.max(tenantSize ?? 0, total + pageSize); // a lower bound: there is at least one more page
          return false;
        }
      }
    } catch (error) {
      if (!(error instanceof ServiceError)) throw error;
      options.logger?.warn({ err: error }, "listing registered devices failed; looking them up one by one");
      return false;
    }
    tenantSize = total;
    for (const entry of pending.values()) entry.checked = true;
    return true;
  };

  const round = async (): Promise<void> => {
    const choice = chooseVerifyStrategy({ pending: pending.size, registered: registeredEstimate(tenantSize, targets.length, pageSize), pageSize });
    if (!choice) return;
    stats.rounds += 1;
    stats.byStrategy[choice.strategy] += 1;
    if (choice.strategy === "list" && (await listing(listingBudget(pending.size)))) return;
    await targeted([...pending.values()], false);
  };

  let delay: number | undefined;
  for (;;) {
    const before = pending.size;
    await round();
    if (pending.size === 0) break;
    delay = pending.size < before ? undefined : delay; // progress: look again soon
    delay = nextBackoff(delay, poll);
    const wait = waitWithinDeadline(delay, now(), deadline);
    if (wait === undefined) break;
    options.logger?.debug({ missing: pending.size, waitMs: wait }, "devices not registered yet: checking again");
    await sleep(wait, signal);
  }

  // The import's deviceRegistrationId and the registered device's id are equal in practice, not by documentation:
  // before calling a device missing, look once by serial for those whose id was never found.
  const idOnly = [...pending.values()].filter((entry) => entry.idMissed && !entry.serialTried);
  if (idOnly.length > 0) await targeted(idOnly, true);
  for (const entry of pending.values()) results[entry.index] = { registered: entry.checked ? "no" : "unchecked" };
  stats.requests = client.stats.requests - requestsAtStart;
  options.logger?.info(
    { verify: { devices: targets.length, registered: results.filter((r) => r.registered === "yes").length, ...stats } },
    "registration check finished",
  );
  return { results, stats };
}
