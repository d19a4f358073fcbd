/**
 * How deployment profiles and a device's profile assignment look on the wire (beta): the live assignment properties of
 * windowsAutopilotDeviceIdentity, its `deploymentProfile` / `intendedDeploymentProfile` navigation under `$expand`,
 * and windowsAutopilotDeploymentProfile with its assignments.
 */
import { badRequest } from "./graph-error.js";
import type { EmulatorState, GraphCall } from "./graph-call.js";
import { applySelect } from "./odata.js";
import { nameGuid, profileAssignment, type DeploymentProfile } from "./profiles.js";
import type { RegisteredRecord } from "./registered-record.js";
import { iso } from "./representation.js";

const NEVER = "0001-01-01T00:00:00Z";
/** When the emulated tenant's profiles were made (fixed: they exist before any run). */
const PROFILES_CREATED = "2024-01-15T09:00:00.000Z";
const DEVICE_NAVIGATIONS: ReadonlySet<string> = new Set(["deploymentProfile", "intendedDeploymentProfile"]);

export interface ExpandItem {
  readonly name: string;
  /** `$select` inside the parentheses, if any. */
  readonly select: readonly string[] | undefined;
}

/** `$expand=a,b($select=x,y)`: top-level items split outside parentheses. */
export function parseExpand(text: string | null): ExpandItem[] {
  if (text === null || text.trim() === "") return [];
  const items: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i <= text.length; i++) {
    const ch = text[i];
    if (ch === "(") depth += 1;
    else if (ch === ")") depth -= 1;
    else if ((ch === "," && depth === 0) || i === text.length) {
      items.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  return items.filter(Boolean).map((item) => {
    const match = /^([A-Za-z]+)(?:\((.*)\))?$/.exec(item);
    if (!match) throw badRequest(`Invalid $expand clause: '${item}'.`);
    const select = /\$select=([^;)]*)/.exec(match[2] ?? "")?.[1];
    return { name: match[1]!, select: select === undefined ? undefined : select.split(",").map((s) => s.trim()).filter(Boolean) };
  });
}

export function profileToGraph(profile: DeploymentProfile): Record<string, unknown> {
  return {
    "@odata.type": "#microsoft.graph.azureADWindowsAutopilotDeploymentProfile",
    id: profile.id,
    displayName: profile.displayName,
    description: profile.groupTags ? `Devices tagged ${profile.groupTags.join(", ")}` : "All Autopilot devices",
    language: "os-default",
    locale: "os-default",
    createdDateTime: PROFILES_CREATED,
    lastModifiedDateTime: PROFILES_CREATED,
    deviceNameTemplate: "",
    deviceType: "windowsPc",
    enableWhiteGlove: false,
    preprovisioningAllowed: false,
    extractHardwareHash: false,
    hardwareHashExtractionEnabled: false,
    roleScopeTagIds: ["0"],
    managementServiceAppId: null,
  };
}

/** The group a tag-targeted profile is assigned to (a dynamic group on `[OrderID]:<tag>`); one per profile. */
export const profileGroupId = (profile: DeploymentProfile): string => nameGuid(`profileGroup:${profile.id}`);

export function assignmentsToGraph(profile: DeploymentProfile): Record<string, unknown>[] {
  const target = profile.groupTags
    ? { "@odata.type": "#microsoft.graph.groupAssignmentTarget", groupId: profileGroupId(profile) }
    : { "@odata.type": "#microsoft.graph.allDevicesAssignmentTarget" };
  const targetId = profile.groupTags ? profileGroupId(profile) : "acacacac-9df4-4c7d-9d50-4ef0226f57a9";
  return [{ "@odata.type": "#microsoft.graph.windowsAutopilotDeploymentProfileAssignment", id: `${profile.id}_${targetId}`, source: "direct", sourceId: profile.id, target }];
}

/**
 * The device's live assignment over its registered view (beta only), and the navigations `$expand` asks for.
 * v1.0 declares neither: `$expand` of them there is Graph's 400.
 */
export function profileOverlay(call: GraphCall, state: EmulatorState): (record: RegisteredRecord, entity: Record<string, unknown>) => Record<string, unknown> {
  const expand = parseExpand(call.url.searchParams.get("$expand"));
  for (const item of expand) {
    if (call.version !== "beta" || !DEVICE_NAVIGATIONS.has(item.name)) {
      throw badRequest(`Could not find a property named '${item.name}' on type 'microsoft.graph.windowsAutopilotDeviceIdentity'.`);
    }
  }
  const scenario = state.scenario();
  const now = state.clock.now();
  return (record, entity) => {
    if (call.version !== "beta") return entity;
    const assignment = profileAssignment(record, scenario, now);
    const out: Record<string, unknown> = {
      ...entity,
      deploymentProfileAssignmentStatus: assignment.status,
      deploymentProfileAssignmentDetailedStatus: assignment.detailedStatus,
      deploymentProfileAssignedDateTime: assignment.assignedAt === null ? NEVER : iso(assignment.assignedAt),
    };
    for (const item of expand) {
      const assigned = assignment.status.startsWith("assigned");
      const profile = item.name === "deploymentProfile" ? (assigned ? assignment.profile : null) : assignment.profile;
      out[item.name] = profile ? applySelect(profileToGraph(profile), item.select) : null;
    }
    return out;
  };
}
