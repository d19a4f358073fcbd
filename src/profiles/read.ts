/**
 * One round of reading devices' profile assignment (beta, the only version that shows it): JSON-batched GETs by id, 20
 * per call, each expanding the assigned profile's name; or, when that costs fewer requests, one listing of the whole
 * collection in pages of 1,000 (a listing shows no profile name: the newly assigned ones are then read by id, once).
 * `$select` trims the answers; the Graph client drops it for the run when the service answers 500 to it.
 */
import { ServiceError } from "../errors.js";
import type { GraphClient } from "../graph/client.js";
import { REGISTERED_PATH, MAX_REGISTERED_PAGE } from "../after/registered.js";
import { chooseVerifyStrategy } from "../after/verify-strategy.js";
import { profileStatusOf, type ProfileStatus } from "./status.js";

const FIELDS = "id,serialNumber,groupTag,deploymentProfileAssignmentStatus,deploymentProfileAssignmentDetailedStatus";
const EXPAND = "deploymentProfile($select=id,displayName)";

/** What Graph showed of one device. */
export interface DeviceProfileView {
  readonly status: ProfileStatus;
  /** Graph's own member, as shown (for the message). */
  readonly graphStatus: string;
  readonly detailedStatus: string;
  readonly groupTag: string;
  /** The assigned profile's display name; undefined when not read (a listing) or none. */
  readonly profileName: string | undefined;
}

interface RawDevice {
  readonly id?: unknown;
  readonly groupTag?: unknown;
  readonly deploymentProfileAssignmentStatus?: unknown;
  readonly deploymentProfileAssignmentDetailedStatus?: unknown;
  readonly deploymentProfile?: { readonly displayName?: unknown } | null;
}

const text = (value: unknown): string => (typeof value === "string" ? value : "");

function viewOf(device: RawDevice): DeviceProfileView {
  const name = text(device.deploymentProfile?.displayName);
  return {
    status: profileStatusOf(device.deploymentProfileAssignmentStatus),
    graphStatus: text(device.deploymentProfileAssignmentStatus),
    detailedStatus: text(device.deploymentProfileAssignmentDetailedStatus),
    groupTag: text(device.groupTag),
    profileName: device.deploymentProfile === undefined ? undefined : name,
  };
}

/** A round's answer: per id, the view, or null when Graph no longer has the device. */
export interface RoundResult {
  readonly views: Map<string, DeviceProfileView | null>;
  /** Group tag → profile names of devices seen with that tag and a profile (the tenant's, after a listing). */
  readonly tagProfiles: Map<string, Set<string>>;
  /** Devices a complete listing counted (the tenant's size), when this round listed. */
  readonly listed?: number;
}

/** Reads the ids by GET, 20 per $batch; a failed item leaves its id out (read again next round). */
export async function readByIds(client: GraphClient, ids: readonly string[], signal?: AbortSignal): Promise<Map<string, DeviceProfileView | null>> {
  const out = new Map<string, DeviceProfileView | null>();
  if (ids.length === 0) return out;
  const answers = await client.batch(
    ids.map((id) => ({ method: "GET" as const, version: "beta" as const, path: `${REGISTERED_PATH}/${encodeURIComponent(id)}?$select=${FIELDS}&$expand=${EXPAND}` })),
    { signal },
  );
  answers.forEach((answer, i) => {
    if (answer.ok) out.set(ids[i]!, viewOf(answer.response.body as RawDevice));
    else if (answer.status === 404) out.set(ids[i]!, null);
  });
  return out;
}

async function readByListing(client: GraphClient, ids: ReadonlySet<string>, tagProfiles: Map<string, Set<string>>, signal?: AbortSignal): Promise<RoundResult> {
  const views = new Map<string, DeviceProfileView | null>();
  let listed = 0;
  for await (const page of client.pages<RawDevice>(`${REGISTERED_PATH}?$top=${MAX_REGISTERED_PAGE}&$select=${FIELDS}`, { version: "beta", signal })) {
    for (const device of page.value) {
      listed += 1;
      const id = text(device.id);
      const view = viewOf(device);
      if (ids.has(id)) views.set(id, view);
      if (view.status === "assigned" && view.groupTag !== "") noteTag(tagProfiles, view.groupTag, "");
    }
  }
  // A complete listing that lacks a device: it is gone.
  for (const id of ids) if (!views.has(id)) views.set(id, null);
  return { views, tagProfiles, listed };
}

export function noteTag(tagProfiles: Map<string, Set<string>>, tag: string, profileName: string): void {
  const key = tag.trim().toLowerCase();
  let names = tagProfiles.get(key);
  if (!names) tagProfiles.set(key, (names = new Set()));
  if (profileName !== "") names.add(profileName);
}

/**
 * Reads the devices still followed, the cheaper way for their number and the tenant's size (measured by the last
 * complete listing, else estimated as ours plus a page). A listing's newly assigned devices get their name by id.
 */
export async function readRound(
  client: GraphClient,
  ids: readonly string[],
  tenantSize: number | undefined,
  tagProfiles: Map<string, Set<string>>,
  signal?: AbortSignal,
): Promise<RoundResult> {
  const choice = chooseVerifyStrategy({ pending: ids.length, registered: tenantSize ?? ids.length + MAX_REGISTERED_PAGE, pageSize: MAX_REGISTERED_PAGE });
  if (choice?.strategy !== "list") {
    const views = await readByIds(client, ids, signal);
    for (const view of views.values()) if (view?.status === "assigned" && view.groupTag !== "") noteTag(tagProfiles, view.groupTag, view.profileName ?? "");
    return { views, tagProfiles };
  }
  try {
    const round = await readByListing(client, new Set(ids), tagProfiles, signal);
    const unnamed = [...round.views].filter(([, view]) => view?.status === "assigned").map(([id]) => id);
    const named = await readByIds(client, unnamed, signal);
    for (const [id, view] of named) {
      round.views.set(id, view);
      if (view?.status === "assigned" && view.groupTag !== "") noteTag(tagProfiles, view.groupTag, view.profileName ?? "");
    }
    return round;
  } catch (error) {
    // A listing that broke off proves nothing about absent devices: this round reads by id instead.
    if (!(error instanceof ServiceError) || signal?.aborted) throw error;
    return { views: await readByIds(client, ids, signal), tagProfiles };
  }
}
