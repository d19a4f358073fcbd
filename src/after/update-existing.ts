/**
 * Devices that ended with 806 (already registered in this tenant): find each by serial number and, where its group tag
 * or assigned user differ from the CSV, set them with updateDeviceProperties. Only fields the CSV provides are sent.
 */
import type { GraphClient } from "../graph/client.js";
import type { AutopilotDeviceIdentity } from "../graph/resources.js";
import type { GraphRequest } from "../graph/types.js";
import { findBySerials, REGISTERED_PATH } from "./registered.js";
import type { AfterRuntime } from "./types.js";

export interface ExistingDevice {
  readonly serialNumber: string;
  /** From the CSV; empty or absent: the CSV does not set it. */
  readonly groupTag?: string | undefined;
  readonly assignedUserPrincipalName?: string | undefined;
}

/** What to send for one device; empty when nothing differs. */
export interface PropertyChanges {
  groupTag?: string;
  userPrincipalName?: string;
}

/**
 * updated: updateDeviceProperties succeeded. unchanged: already as in the CSV. noValues: the CSV sets neither field.
 * notFound / ambiguous: no (or more than one) registered device has this exact serial. failed: a lookup or the update
 * failed. Every reason but `updated` leaves the row `already_registered`.
 */
export type UpdateReason = "updated" | "unchanged" | "noValues" | "notFound" | "ambiguous" | "failed";

export interface UpdateResult {
  readonly status: "updated" | "already_registered";
  readonly reason: UpdateReason;
  readonly deviceId?: string;
  /** For the report's message column. */
  readonly message: string;
}

export interface UpdateOutcome {
  /** One per device, in order. */
  readonly results: UpdateResult[];
  /** HTTP requests sent ($batch counts once). */
  readonly requests: number;
  /** updateDeviceProperties calls made. */
  readonly updates: number;
}

/** The CSV's values that differ from the registered device's (user names compare without case, as Entra ID does). */
export function propertyChanges(wanted: ExistingDevice, current: Pick<AutopilotDeviceIdentity, "groupTag" | "userPrincipalName">): PropertyChanges {
  const changes: PropertyChanges = {};
  const tag = wanted.groupTag ?? "";
  if (tag !== "" && tag !== (current.groupTag ?? "")) changes.groupTag = tag;
  const user = wanted.assignedUserPrincipalName ?? "";
  if (user !== "" && user.toLowerCase() !== (current.userPrincipalName ?? "").toLowerCase()) changes.userPrincipalName = user;
  return changes;
}

/** The updateDeviceProperties body: every field the CSV provides (not only the changed ones), so the device ends as the CSV says. */
function updateBody(wanted: ExistingDevice): PropertyChanges {
  const body: PropertyChanges = {};
  if (wanted.groupTag) body.groupTag = wanted.groupTag;
  if (wanted.assignedUserPrincipalName) body.userPrincipalName = wanted.assignedUserPrincipalName;
  return body;
}

function describe(changes: PropertyChanges, current: AutopilotDeviceIdentity): string {
  const parts: string[] = [];
  if (changes.groupTag !== undefined) parts.push(`group tag '${current.groupTag ?? ""}' → '${changes.groupTag}'`);
  if (changes.userPrincipalName !== undefined) parts.push(`user '${current.userPrincipalName ?? ""}' → '${changes.userPrincipalName}'`);
  return parts.join(", ");
}

const keep = (reason: Exclude<UpdateReason, "updated">, message: string, deviceId?: string): UpdateResult => ({
  status: "already_registered",
  reason,
  message,
  ...(deviceId ? { deviceId } : {}),
});

export async function updateExistingDevices(client: GraphClient, devices: readonly ExistingDevice[], options: AfterRuntime = {}): Promise<UpdateOutcome> {
  const { signal, logger } = options;
  const requestsAtStart = client.stats.requests;
  const results: Array<UpdateResult | undefined> = devices.map((device) =>
    device.groupTag || device.assignedUserPrincipalName
      ? undefined
      : keep("noValues", "Already registered in this tenant; the CSV sets no group tag or user, so nothing was changed."),
  );
  const toFind = devices.flatMap((device, index) => (results[index] ? [] : [{ index, device }]));
  const lookups = await findBySerials(client, toFind.map(({ device }) => device.serialNumber), signal);

  const updates: Array<{ index: number; request: GraphRequest; summary: string; deviceId: string }> = [];
  for (const [i, { index, device }] of toFind.entries()) {
    const lookup = lookups[i]!;
    if (!lookup.ok) {
      results[index] = keep("failed", `Already registered in this tenant; looking it up to update it failed: ${lookup.error.message}`);
      continue;
    }
    const [current, ...others] = lookup.value;
    if (!current) {
      results[index] = keep("notFound", "Already registered (806), but no registered device with this exact serial number was found, so nothing was changed.");
      continue;
    }
    if (others.length > 0) {
      results[index] = keep("ambiguous", `Already registered; ${lookup.value.length} registered devices have this serial number, so none was changed.`);
      continue;
    }
    const changes = propertyChanges(device, current);
    if (Object.keys(changes).length === 0) {
      results[index] = keep("unchanged", "Already registered in this tenant with the CSV's group tag and user: nothing to change.", current.id);
      continue;
    }
    updates.push({
      index,
      deviceId: current.id,
      summary: describe(changes, current),
      // Setting the same values twice is harmless, so a lost answer may be resent.
      request: { method: "POST", path: `${REGISTERED_PATH}/${encodeURIComponent(current.id)}/updateDeviceProperties`, body: updateBody(device), idempotent: true },
    });
  }

  const answers = await client.batch(updates.map((update) => update.request), { signal });
  let updated = 0;
  for (const [i, update] of updates.entries()) {
    const answer = answers[i]!;
    if (answer.ok) {
      updated += 1;
      results[update.index] = { status: "updated", reason: "updated", deviceId: update.deviceId, message: `Already registered; updated ${update.summary}.` };
    } else {
      results[update.index] = keep("failed", `Already registered; updating ${update.summary} failed: ${answer.error.message}`, update.deviceId);
    }
  }
  const outcome: UpdateOutcome = { results: results.map((r) => r!), requests: client.stats.requests - requestsAtStart, updates: updates.length };
  logger?.info({ updateExisting: { devices: devices.length, updated, calls: updates.length, requests: outcome.requests } }, "existing devices checked");
  return outcome;
}
