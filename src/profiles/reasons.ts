/**
 * Why a device has no deployment profile, said from what Graph shows: the tenant's profiles and their assignments
 * (read once, only when some device ends without one) and the profiles other devices with the same group tag got.
 */
import { AutopilotImportError } from "../errors.js";
import type { GraphClient } from "../graph/client.js";

export const PROFILES_PATH = "/deviceManagement/windowsAutopilotDeploymentProfiles";

export interface ProfilesOverview {
  /** Profiles in the tenant (null: they could not be read). */
  readonly count: number | null;
  /** Display names of profiles assigned to all devices. */
  readonly allDevices: readonly string[];
  /** Why they could not be read. */
  readonly error?: string;
}

interface RawProfile {
  readonly displayName?: unknown;
  readonly assignments?: ReadonlyArray<{ readonly target?: { readonly "@odata.type"?: unknown } }>;
}

/** The tenant's profiles, once; a refusal (a permission, an outage) is data: the reasons then say less. */
export async function readProfilesOverview(client: GraphClient, signal?: AbortSignal): Promise<ProfilesOverview> {
  try {
    const allDevices: string[] = [];
    let count = 0;
    for await (const page of client.pages<RawProfile>(`${PROFILES_PATH}?$expand=assignments`, { version: "beta", signal })) {
      for (const profile of page.value) {
        count += 1;
        const targetsAll = (profile.assignments ?? []).some((a) => a.target?.["@odata.type"] === "#microsoft.graph.allDevicesAssignmentTarget");
        if (targetsAll) allDevices.push(typeof profile.displayName === "string" ? profile.displayName : "?");
      }
    }
    return { count, allDevices };
  } catch (error) {
    if (signal?.aborted || !(error instanceof AutopilotImportError) || error.kind === "interrupted") throw error;
    return { count: null, allDevices: [], error: error.message };
  }
}

/** The dynamic group rule that catches a group tag (Intune's documented form). */
export const groupTagRule = (tag: string): string => `(device.devicePhysicalIds -any (_ -eq "[OrderID]:${tag}"))`;

/** The likely reason a device with this group tag has no profile. */
export function notAssignedReason(groupTag: string, overview: ProfilesOverview, tagProfiles: ReadonlyMap<string, ReadonlySet<string>>): string {
  if (overview.count === 0) return "no deployment profile exists in this tenant: create one and assign it to a group of these devices";
  if (overview.allDevices.length > 0) {
    return `profile '${overview.allDevices[0]}' targets all devices: Intune has not assigned it yet (it can take 15 minutes or more); check again later`;
  }
  const tag = groupTag.trim();
  const others = tagProfiles.get(tag.toLowerCase());
  if (tag !== "" && others !== undefined) {
    const names = [...others];
    const got = names.length > 0 ? `profile ${names.map((n) => `'${n}'`).join(", ")}` : "a profile";
    return `other devices tagged '${tag}' have ${got}: dynamic group rules may still be catching up with this one; check again later`;
  }
  const unread = overview.count === null ? ` (the profiles could not be read: ${overview.error ?? "refused"})` : "";
  if (tag === "") return `it has no group tag and no profile targets all devices${unread}: set a group tag, or assign a profile to all devices`;
  return `no profile seems to target group tag '${tag}' (none of the devices seen with it has one)${unread}: assign a profile to a dynamic group with the rule ${groupTagRule(tag)}`;
}
