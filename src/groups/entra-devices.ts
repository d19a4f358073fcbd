/**
 * Each registered device's Entra device object, found through its Autopilot record: the record names the Entra
 * device id (azureActiveDirectoryDeviceId), and `GET /devices?$filter=deviceId eq` gives the object id group members
 * are. Both steps go in JSON batches of 20. The Entra object can lag the registration (the record's id is then empty
 * or all zeros, or the lookup finds nothing): those are looked up again, with growing waits, until the deadline.
 */
import { byIdRequest } from "../after/registered.js";
import type { GraphClient } from "../graph/client.js";
import type { GraphRequest } from "../graph/types.js";
import type { AutopilotDeviceIdentity } from "../graph/resources.js";
import { nextBackoff, waitWithinDeadline, type BackoffPolicy } from "../util/backoff.js";
import { describeFailure } from "./permissions.js";

export type EntraLookup =
  | { readonly kind: "found"; readonly objectId: string }
  /** Not (yet) in the directory when the deadline came. */
  | { readonly kind: "missing"; readonly reason: string }
  | { readonly kind: "failed"; readonly reason: string };

export interface EntraLookupOptions {
  readonly signal: AbortSignal;
  /** How long to keep looking for objects not in the directory yet. */
  readonly waitMs: number;
  readonly now: () => number;
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly poll?: BackoffPolicy;
}

export const DEFAULT_ENTRA_POLL: BackoffPolicy = { minMs: 1_000, maxMs: 30_000, factor: 2 };
const NO_DEVICE_ID = /^(|0{8}-0{4}-0{4}-0{4}-0{12})$/;

const deviceRequest = (deviceId: string): GraphRequest => ({
  method: "GET",
  path: `/devices?$filter=${encodeURIComponent(`deviceId eq '${deviceId}'`)}&$select=id,deviceId`,
  version: "v1.0",
});

/** One pass over `pending` (Autopilot record ids); settles what it can into `results`, returns what is still missing. */
async function lookOnce(client: GraphClient, pending: readonly string[], deviceIds: Map<string, string>, results: Map<string, EntraLookup>, signal: AbortSignal): Promise<string[]> {
  const unnamed = pending.filter((id) => !deviceIds.has(id));
  const records = await client.batch<AutopilotDeviceIdentity>(unnamed.map((id) => ({ ...byIdRequest(id), version: "v1.0" as const })), { signal });
  unnamed.forEach((id, i) => {
    const answer = records[i]!;
    if (!answer.ok) {
      results.set(id, answer.status === 404 ? { kind: "failed", reason: "the Autopilot record is no longer registered" } : { kind: "failed", reason: `reading the Autopilot record failed: ${describeFailure(answer.error)}` });
      return;
    }
    const raw: unknown = (answer.response.body as { azureActiveDirectoryDeviceId?: unknown }).azureActiveDirectoryDeviceId;
    const deviceId = typeof raw === "string" ? raw : "";
    if (!NO_DEVICE_ID.test(deviceId)) deviceIds.set(id, deviceId);
  });
  const named = pending.filter((id) => !results.has(id) && deviceIds.has(id));
  const answers = await client.batch<{ value: Array<{ id: string }> }>(named.map((id) => deviceRequest(deviceIds.get(id)!)), { signal });
  named.forEach((id, i) => {
    const answer = answers[i]!;
    if (!answer.ok) results.set(id, { kind: "failed", reason: `looking up the Entra device failed: ${describeFailure(answer.error)}` });
    else if (answer.response.body.value[0]) results.set(id, { kind: "found", objectId: answer.response.body.value[0].id });
  });
  return pending.filter((id) => !results.has(id));
}

/** The Entra object of each record id (in any order of the answers; keyed by record id). */
export async function findEntraDevices(client: GraphClient, recordIds: readonly string[], options: EntraLookupOptions): Promise<Map<string, EntraLookup>> {
  const results = new Map<string, EntraLookup>();
  const deviceIds = new Map<string, string>();
  const deadline = options.now() + options.waitMs;
  let pending = [...new Set(recordIds)];
  let delay: number | undefined;
  for (;;) {
    pending = await lookOnce(client, pending, deviceIds, results, options.signal);
    if (pending.length === 0) break;
    delay = nextBackoff(delay, options.poll ?? DEFAULT_ENTRA_POLL);
    const wait = waitWithinDeadline(delay, options.now(), deadline);
    if (wait === undefined) break;
    await options.sleep(wait, options.signal);
  }
  const waited = Math.round(options.waitMs / 1000);
  for (const id of pending) {
    const reason = deviceIds.has(id)
      ? `its Entra device (${deviceIds.get(id)}) was not in the directory within ${waited} s of the registration: run the same command later, or add it by hand`
      : `its Autopilot record named no Entra device within ${waited} s: run the same command later, or add it by hand`;
    results.set(id, { kind: "missing", reason });
  }
  return results;
}
