/**
 * Finding the listed serials' Autopilot records, exactly (findBySerials: contains() then an exact comparison, JSON-
 * batched), and whether each is still enrolled in Intune: its record's managedDeviceId names a managed device that
 * exists (GET deviceManagement/managedDevices/{id}; a stale id answering 404 is not enrolled).
 */
import { findBySerials } from "../after/registered.js";
import { ServiceError } from "../errors.js";
import type { GraphClient } from "../graph/client.js";
import { GraphNetworkError } from "../graph/errors/graph-network-error.js";
import type { AutopilotDeviceIdentity } from "../graph/resources.js";
import { messages } from "./messages.js";
import { AUTOPILOT_PERMISSION } from "./permissions.js";
import { serviceWords } from "./service-words.js";
import type { DeregisterStatus, ListedRow } from "./types.js";

export const MANAGED_PATH = "/deviceManagement/managedDevices";

/** A row settled without a write: its status, the record(s) found, and why. */
export interface Settled {
  readonly row: ListedRow;
  readonly status: DeregisterStatus;
  readonly autopilotId: string;
  readonly message: string;
}

/**
 * no: no managed device (none linked, or a stale id answering 404). yes: its managed device exists. unknown: reading it
 * was refused (403, no Intune permission): with --delete-intune-record it is deleted first (a refusal then names the
 * permission); without, the Autopilot DELETE is sent and the service refuses it if the device is enrolled.
 */
export type Enrolment = { readonly kind: "no" } | { readonly kind: "yes" | "unknown"; readonly managedId: string };

export interface FoundRecord {
  readonly row: ListedRow;
  readonly device: AutopilotDeviceIdentity;
  readonly enrolment: Enrolment;
}

/** Graph's managedDeviceId of a device never enrolled is the zero GUID (or empty). */
const NO_ID = "00000000-0000-0000-0000-000000000000";
function managedIdOf(device: AutopilotDeviceIdentity): string | undefined {
  const id = device["managedDeviceId"];
  return typeof id === "string" && id !== "" && id !== NO_ID ? id : undefined;
}

/** A failure that would fail every row the same way (no permission, no network): the run stops on it instead. */
function stopsTheRun(error: Error): boolean {
  const status = (error as { status?: number }).status;
  return error instanceof GraphNetworkError || status === 401 || status === 403;
}

function stop(error: Error, what: string): never {
  const hint = (error as { status?: number }).status === 403 ? `; the app needs ${AUTOPILOT_PERMISSION}` : "";
  throw new ServiceError(`${what} failed: ${serviceWords(error)}${hint}`, (error as { status?: number }).status, undefined, { cause: error });
}

export async function findRecords(client: GraphClient, rows: readonly ListedRow[], signal: AbortSignal): Promise<{ found: FoundRecord[]; settled: Settled[] }> {
  const lookups = await findBySerials(client, rows.map((row) => row.serialNumber), signal);
  const settled: Settled[] = [];
  const candidates: Array<{ row: ListedRow; device: AutopilotDeviceIdentity }> = [];
  for (const [i, row] of rows.entries()) {
    const lookup = lookups[i]!;
    if (!lookup.ok) {
      if (stopsTheRun(lookup.error)) stop(lookup.error, "looking up Autopilot records");
      settled.push({ row, status: "failed", autopilotId: "", message: messages.lookupFailed(serviceWords(lookup.error)) });
    } else if (lookup.value.length === 0) settled.push({ row, status: "not_found", autopilotId: "", message: messages.notFound });
    else if (lookup.value.length > 1) {
      settled.push({ row, status: "ambiguous", autopilotId: lookup.value.map((device) => device.id).join(" "), message: messages.ambiguous(lookup.value.length) });
    } else candidates.push({ row, device: lookup.value[0]! });
  }
  const linked = candidates.flatMap((candidate) => {
    const managedId = managedIdOf(candidate.device);
    return managedId === undefined ? [] : [{ ...candidate, managedId }];
  });
  const answers = await client.batch(linked.map(({ managedId }) => ({ method: "GET", path: `${MANAGED_PATH}/${encodeURIComponent(managedId)}?$select=id` })), { signal });
  const enrolment = new Map<ListedRow, Enrolment | Error>();
  linked.forEach(({ row, managedId }, i) => {
    const answer = answers[i]!;
    if (answer.ok) enrolment.set(row, { kind: "yes", managedId });
    else if (answer.status === 404) enrolment.set(row, { kind: "no" });
    else if (answer.status === 403) enrolment.set(row, { kind: "unknown", managedId });
    else enrolment.set(row, answer.error);
  });
  const found: FoundRecord[] = [];
  for (const { row, device } of candidates) {
    const state = enrolment.get(row) ?? { kind: "no" };
    if (!(state instanceof Error)) found.push({ row, device, enrolment: state });
    else {
      if (stopsTheRun(state)) stop(state, "checking Intune enrolment");
      settled.push({ row, status: "failed", autopilotId: device.id, message: messages.checkFailed(managedIdOf(device) ?? "", serviceWords(state)) });
    }
  }
  return { found, settled };
}
