/**
 * Lookups in windowsAutopilotDeviceIdentities (v1.0): by id and by serial number, JSON-batched 20 per call, and the
 * whole collection page by page. `serialNumber eq` is refused by the service, so serials are found with contains()
 * and compared exactly (ignoring case) here.
 */
import { ServiceError } from "../errors.js";
import type { BatchItemResult } from "../graph/batch.js";
import type { GraphClient } from "../graph/client.js";
import type { AutopilotDeviceIdentity } from "../graph/resources.js";
import type { GraphPage, GraphRequest } from "../graph/types.js";
import { learnHyphenRefusal, serialContainsFilter } from "../graph/serial-filter.js";
import type { ServiceTraits } from "../graph/service-traits.js";

export const REGISTERED_PATH = "/deviceManagement/windowsAutopilotDeviceIdentities";
/** The largest page the service is asked for ($top). */
export const MAX_REGISTERED_PAGE = 1000;

/** Serial numbers compare without case (the service's own comparison) and surrounding spaces. */
export function serialKey(serial: string): string {
  return serial.trim().toUpperCase();
}

/** The devices of a contains() answer whose serial is exactly `serial`. */
export function exactSerialMatches(serial: string, devices: readonly AutopilotDeviceIdentity[]): AutopilotDeviceIdentity[] {
  const key = serialKey(serial);
  return devices.filter((device) => typeof device.serialNumber === "string" && serialKey(device.serialNumber) === key);
}

export function byIdRequest(id: string): GraphRequest {
  return { method: "GET", path: `${REGISTERED_PATH}/${encodeURIComponent(id)}` };
}

/** A serial's lookup: contains() on it (or on its longest hyphen-free part, see serial-filter.ts), else the whole list. */
export function bySerialRequest(serial: string, traits: ServiceTraits): GraphRequest {
  const filter = serialContainsFilter(serial, traits);
  // No filter the service takes: every page, matched exactly here (rare: a serial whose hyphenated parts are all short).
  if (filter === undefined) return { method: "GET", path: `${REGISTERED_PATH}?$top=${MAX_REGISTERED_PAGE}` };
  return { method: "GET", path: `${REGISTERED_PATH}?$filter=${encodeURIComponent(filter)}` };
}

/** A lookup's answer: found (or definitely absent), or not known because the request failed. */
export type Lookup<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: Error };

/** An id's answer (a byIdRequest's batch result): the device, or null for 404. */
export function idLookup(result: BatchItemResult<unknown>): Lookup<AutopilotDeviceIdentity | null> {
  if (result.ok) return { ok: true, value: result.response.body as AutopilotDeviceIdentity };
  if (result.status === 404) return { ok: true, value: null };
  return { ok: false, error: result.error };
}

/** The API path of an @odata.nextLink under this client's Graph root, so `client.pages` can continue from it. */
function pathOf(client: GraphClient, link: string): string {
  const root = client.urlFor("/").href; // ".../v1.0/"
  if (!link.startsWith(root)) throw new ServiceError(`refusing to follow @odata.nextLink outside ${client.graphRoot}`);
  return link.slice(root.length - 1);
}

/**
 * A serial's exact matches from a bySerialRequest's batch result, following further pages when the substring matched
 * more than one page of devices.
 */
export async function serialLookup(
  client: GraphClient,
  serial: string,
  result: BatchItemResult<unknown>,
  signal?: AbortSignal,
  refusedOnce = false,
): Promise<Lookup<AutopilotDeviceIdentity[]>> {
  if (!result.ok) {
    if (refusedOnce || !learnHyphenRefusal(result.error, serial, client.traits)) return { ok: false, error: result.error };
    // contains() refused the hyphen: the same lookup again, once, in the form the service takes.
    try {
      const again = await client.request(bySerialRequest(serial, client.traits));
      return await serialLookup(client, serial, { ok: true, response: again }, signal, true);
    } catch (error) {
      if (error instanceof ServiceError) return { ok: false, error };
      throw error;
    }
  }
  const first = result.response.body as GraphPage<AutopilotDeviceIdentity> | undefined;
  const matches = exactSerialMatches(serial, Array.isArray(first?.value) ? first.value : []);
  const next = first?.["@odata.nextLink"];
  if (!next) return { ok: true, value: matches };
  try {
    for await (const page of client.pages<AutopilotDeviceIdentity>(pathOf(client, next), { signal })) {
      matches.push(...exactSerialMatches(serial, page.value));
    }
  } catch (error) {
    if (error instanceof ServiceError) return { ok: false, error };
    throw error;
  }
  return { ok: true, value: matches };
}

/**
 * Exact matches for each serial (in order), batched: a failed lookup is data, not an exception. Serials that only a
 * listing can find (a hyphen the service refuses in contains(), and no hyphen-free part long enough) share one
 * listing of the collection: one per call, not one per serial.
 */
export async function findBySerials(client: GraphClient, serials: readonly string[], signal?: AbortSignal): Promise<Array<Lookup<AutopilotDeviceIdentity[]>>> {
  const out = new Array<Lookup<AutopilotDeviceIdentity[]>>(serials.length);
  let pending = serials.map((_, index) => index);
  // Twice at most: lookups sent before the hyphen refusal was learnt go again, in the form the service takes.
  for (let attempt = 0; attempt < 2 && pending.length > 0; attempt++) {
    const listed: number[] = [];
    const filtered: number[] = [];
    for (const index of pending) (serialContainsFilter(serials[index]!, client.traits) === undefined ? listed : filtered).push(index);
    const again: number[] = [];
    const answers = filtered.length === 0 ? [] : await client.batch(filtered.map((index) => bySerialRequest(serials[index]!, client.traits)), { signal });
    for (const [k, index] of filtered.entries()) {
      const answer = answers[k]!;
      if (!answer.ok && attempt === 0 && learnHyphenRefusal(answer.error, serials[index]!, client.traits)) again.push(index);
      else out[index] = await serialLookup(client, serials[index]!, answer, signal, true);
    }
    if (listed.length > 0) {
      const found = await listedLookups(client, listed.map((index) => serials[index]!), signal);
      listed.forEach((index, k) => (out[index] = found[k]!));
    }
    pending = again;
  }
  return out;
}

/** One listing of the whole collection, matched exactly against every serial at once (memory: the matches only). */
async function listedLookups(client: GraphClient, serials: readonly string[], signal?: AbortSignal): Promise<Array<Lookup<AutopilotDeviceIdentity[]>>> {
  const matches = new Map<string, AutopilotDeviceIdentity[]>(serials.map((serial) => [serialKey(serial), []]));
  try {
    for await (const page of registeredPages(client, MAX_REGISTERED_PAGE, signal)) {
      for (const device of page.value) {
        if (typeof device.serialNumber === "string") matches.get(serialKey(device.serialNumber))?.push(device);
      }
    }
  } catch (error) {
    if (error instanceof ServiceError) return serials.map(() => ({ ok: false, error }));
    throw error;
  }
  return serials.map((serial) => ({ ok: true, value: matches.get(serialKey(serial)) ?? [] }));
}

/** The whole collection, page by page, asking for `pageSize` devices per page. */
export function registeredPages(client: GraphClient, pageSize: number, signal?: AbortSignal): AsyncGenerator<GraphPage<AutopilotDeviceIdentity>, void, undefined> {
  return client.pages<AutopilotDeviceIdentity>(`${REGISTERED_PATH}?$top=${pageSize}`, { signal });
}
