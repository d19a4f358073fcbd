/**
 * The groups named by --add-to-group, resolved once, before anything is imported or updated (a typo costs no run):
 * a GUID is read by id, anything else is matched by display name (none: an error naming it; several: ambiguous, give
 * the id). A dynamic group is refused with its rule: Entra fills it from the rule and takes no manual members.
 */
import { ServiceError, UsageError } from "../errors.js";
import type { GraphClient } from "../graph/client.js";
import { GraphRequestError } from "../graph/errors/index.js";
import { describeFailure, isPermissionRefusal } from "./permissions.js";

export interface ResolvedGroup {
  readonly id: string;
  readonly displayName: string;
}

interface GroupEntity {
  readonly id: string;
  readonly displayName?: string | null;
  readonly groupTypes?: readonly string[] | null;
  readonly membershipRule?: string | null;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SELECT = "$select=id,displayName,groupTypes,membershipRule";

/** A value quoted for an OData string literal. */
const literal = (text: string): string => `'${text.replaceAll("'", "''")}'`;

async function lookUp(client: GraphClient, name: string, signal: AbortSignal): Promise<GroupEntity[]> {
  try {
    if (GUID.test(name)) {
      const { body } = await client.request<GroupEntity>({ method: "GET", path: `/groups/${name}?${SELECT}`, version: "v1.0", signal });
      return [body];
    }
    const filter = encodeURIComponent(`displayName eq ${literal(name)}`);
    const { body } = await client.request<{ value: GroupEntity[] }>({ method: "GET", path: `/groups?$filter=${filter}&${SELECT}`, version: "v1.0", signal });
    return body.value;
  } catch (error) {
    if (error instanceof GraphRequestError && error.status === 404) return [];
    if (isPermissionRefusal(error)) throw new ServiceError(`--add-to-group: looking up group '${name}' failed: ${describeFailure(error)}`, 403, "Authorization_RequestDenied", { cause: error });
    throw error;
  }
}

/** Resolves each distinct name; throws UsageError (exit 2) for a group that is missing, ambiguous or dynamic. */
export async function resolveGroups(client: GraphClient, names: readonly string[], signal: AbortSignal): Promise<ResolvedGroup[]> {
  const resolved = new Map<string, ResolvedGroup>();
  for (const name of [...new Set(names.map((n) => n.trim()))]) {
    const found = await lookUp(client, name, signal);
    const [group, ...others] = found;
    if (!group) {
      const how = GUID.test(name) ? "no group has this object id" : "no group has this display name (matched exactly; give the group's object id to be sure)";
      throw new UsageError(`--add-to-group '${name}': ${how} in the tenant: nothing was changed`);
    }
    if (others.length > 0) {
      throw new UsageError(`--add-to-group '${name}': ${found.length} groups have this display name (${found.map((g) => g.id).join(", ")}): give the object id of the one you mean`);
    }
    if ((group.groupTypes ?? []).includes("DynamicMembership")) {
      throw new UsageError(`--add-to-group '${name}': the group has dynamic membership (rule: ${group.membershipRule ?? "?"}): Entra adds devices to it from its rule, not by hand; name a static (assigned) group`);
    }
    resolved.set(group.id, { id: group.id, displayName: group.displayName ?? name });
  }
  return [...resolved.values()];
}
