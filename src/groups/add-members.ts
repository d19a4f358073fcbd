/**
 * Adds device objects to one static group: 20 references per PATCH (members@odata.bind, Graph's documented most),
 * all or nothing. When a chunk is refused because a reference already exists (or one object vanished), its members
 * are added one by one (POST members/$ref), in one JSON batch: "already exists" is then success (already_member).
 * Why not read the group's members first: that costs a page per 100 members of a group that may hold thousands,
 * on every run, while the fallback costs one extra batch only for the chunks that actually overlap.
 */
import { ServiceError } from "../errors.js";
import type { GraphClient } from "../graph/client.js";
import { GraphRequestError } from "../graph/errors/index.js";
import { describeFailure } from "./permissions.js";

export type MemberOutcome = { readonly kind: "added" } | { readonly kind: "already_member" } | { readonly kind: "failed"; readonly reason: string };

export const MAX_BIND = 20;
const EXISTS = /already exist/i;

const isExisting = (status: number | undefined, error: unknown): boolean =>
  status === 400 && error instanceof GraphRequestError && EXISTS.test(error.graphMessage ?? "");

async function addOneByOne(client: GraphClient, groupId: string, refs: readonly string[], signal: AbortSignal): Promise<MemberOutcome[]> {
  const answers = await client.batch(
    // A resent $ref answers "already exists": safe to repeat, so retried like an idempotent request.
    refs.map((ref) => ({ method: "POST" as const, path: `/groups/${groupId}/members/$ref`, version: "v1.0" as const, body: { "@odata.id": ref }, idempotent: true })),
    { signal },
  );
  return answers.map((answer): MemberOutcome => {
    if (answer.ok) return { kind: "added" };
    if (isExisting(answer.status, answer.error)) return { kind: "already_member" };
    return { kind: "failed", reason: describeFailure(answer.error) };
  });
}

/** One outcome per object id, in order. */
export async function addMembers(client: GraphClient, groupId: string, objectIds: readonly string[], signal: AbortSignal): Promise<MemberOutcome[]> {
  const outcomes: MemberOutcome[] = [];
  for (let start = 0; start < objectIds.length; start += MAX_BIND) {
    const refs = objectIds.slice(start, start + MAX_BIND).map((id) => client.urlFor(`/directoryObjects/${id}`, "v1.0").href);
    try {
      await client.request({ method: "PATCH", path: `/groups/${groupId}`, version: "v1.0", body: { "members@odata.bind": refs }, signal });
      outcomes.push(...refs.map((): MemberOutcome => ({ kind: "added" })));
    } catch (error) {
      // Only Graph's and the network's failures are the chunk's; a stop or a bug ends the step.
      if (signal.aborted || !(error instanceof ServiceError)) throw error;
      // Refused as a whole (an existing member, or an object gone since it was looked up): each one tells its own.
      if (error instanceof GraphRequestError && (error.status === 400 || error.status === 404)) outcomes.push(...(await addOneByOne(client, groupId, refs, signal)));
      else outcomes.push(...refs.map((): MemberOutcome => ({ kind: "failed", reason: describeFailure(error) })));
    }
  }
  return outcomes;
}
