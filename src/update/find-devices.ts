/**
 * Which registered device each row names: found by its exact serial number (findBySerials, JSON-batched), or by id for
 * a device an earlier attempt was updating. A serial matching nothing or several devices is reported, never guessed.
 */
import { byIdRequest, findBySerials, idLookup } from "../after/registered.js";
import type { GraphClient } from "../graph/client.js";
import type { AutopilotDeviceIdentity } from "../graph/resources.js";

export type Found =
  | { readonly kind: "found"; readonly device: AutopilotDeviceIdentity }
  | { readonly kind: "not_found"; readonly message: string }
  | { readonly kind: "ambiguous"; readonly message: string }
  /** The lookup itself failed: nothing is known about the device (nothing was sent). */
  | { readonly kind: "failed"; readonly message: string };

export async function findSerials(client: GraphClient, serials: readonly string[], signal: AbortSignal): Promise<Found[]> {
  const lookups = await findBySerials(client, serials, signal);
  return lookups.map((lookup): Found => {
    if (!lookup.ok) return { kind: "failed", message: `Looking the device up failed: ${lookup.error.message}` };
    const [device, ...others] = lookup.value;
    if (!device) return { kind: "not_found", message: "No registered device has this serial number: nothing was changed." };
    if (others.length > 0) {
      const ids = lookup.value.map((match) => match.id).join(", ");
      return { kind: "ambiguous", message: `${lookup.value.length} registered devices have this serial number (${ids}): none was changed.` };
    }
    return { kind: "found", device };
  });
}

export async function findIds(client: GraphClient, ids: readonly string[], signal: AbortSignal): Promise<Found[]> {
  if (ids.length === 0) return [];
  const answers = await client.batch(ids.map(byIdRequest), { signal });
  return answers.map((answer): Found => {
    const lookup = idLookup(answer);
    if (!lookup.ok) return { kind: "failed", message: `Looking the device up failed: ${lookup.error.message}` };
    if (lookup.value === null) return { kind: "not_found", message: "The device is no longer registered: nothing was changed." };
    return { kind: "found", device: lookup.value };
  });
}
