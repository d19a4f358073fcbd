/**
 * The deployment profile assignment of registered devices, computed from the scenario and the emulator's clock when a
 * device is read (no timer per device: a tenant holds a million). A device registered by an import or a POST follows
 * the timeline from its registration: notAssigned, `pending` after profiles.pendingAfterMs, then assigned (or failed)
 * after profiles.assignedAfterMs plus a seeded spread; a device no profile targets (its group tag is caught by none)
 * stays notAssigned. Seeded devices keep the status the scenario gave them. Names follow Microsoft's beta metadata.
 */
import { hash } from "node:crypto";
import type { ProfileAssignmentStatus } from "./scenario-devices.js";
import type { Scenario } from "./scenario.js";
import type { RegisteredRecord } from "./registered-record.js";
import { serialKey } from "./store.js";

export interface DeploymentProfile {
  readonly id: string;
  readonly displayName: string;
  /** Group tags its group catches; undefined: all devices. */
  readonly groupTags: readonly string[] | undefined;
}

export interface ProfileAssignment {
  readonly status: ProfileAssignmentStatus;
  /** windowsAutopilotProfileAssignmentDetailedStatus. */
  readonly detailedStatus: "none" | "hardwareRequirementsNotMet";
  /** Emulated epoch ms of the assignment; null while not assigned. */
  readonly assignedAt: number | null;
  /** The profile that targets the device (also while pending), or null. */
  readonly profile: DeploymentProfile | null;
}

interface Rules {
  readonly profiles: readonly DeploymentProfile[];
  readonly never: ReadonlySet<string>;
  readonly failed: ReadonlySet<string>;
}

/** A name-based GUID: a profile without an id in the scenario gets the same one on every start. */
export function nameGuid(text: string): string {
  const hex = hash("sha1", text, "hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const rulesCache = new WeakMap<Scenario, Rules>();

function rulesOf(scenario: Scenario): Rules {
  let rules = rulesCache.get(scenario);
  if (!rules) {
    const { profiles } = scenario;
    rules = {
      profiles: profiles.deploymentProfiles.map((p) => ({ id: p.id ?? nameGuid(`deploymentProfile:${p.displayName}`), displayName: p.displayName, groupTags: p.groupTags })),
      never: new Set(profiles.neverAssignedSerials.map(serialKey)),
      failed: new Set(profiles.failedSerials.map(serialKey)),
    };
    rulesCache.set(scenario, rules);
  }
  return rules;
}

export function deploymentProfiles(scenario: Scenario): readonly DeploymentProfile[] {
  return rulesOf(scenario).profiles;
}

/** The profile a device of this group tag gets: one whose group catches the tag first, else one for all devices. */
export function targetingProfile(scenario: Scenario, groupTag: string): DeploymentProfile | null {
  const profiles = rulesOf(scenario).profiles;
  const tag = groupTag.trim().toLowerCase();
  const byTag = tag === "" ? undefined : profiles.find((p) => p.groupTags?.some((t) => t.toLowerCase() === tag));
  return byTag ?? profiles.find((p) => p.groupTags === undefined) ?? null;
}

/** Seeded 0..spreadMs per device: FNV-1a of seed and id (cheap enough for every device of a listing). */
function spreadFor(id: string, seed: number, spreadMs: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193) >>> 0;
  return spreadMs === 0 ? 0 : h % (spreadMs + 1);
}

/** The assignment as Graph shows it now. */
export function profileAssignment(record: RegisteredRecord, scenario: Scenario, now: number): ProfileAssignment {
  const rules = rulesOf(scenario);
  if (!record.profileTimeline) {
    const status = record.deploymentProfileAssignmentStatus;
    const assigned = status.startsWith("assigned");
    return { status, detailedStatus: "none", assignedAt: assigned ? record.createdAt : null, profile: assigned ? targetingProfile(scenario, record.groupTag) : null };
  }
  const notAssigned: ProfileAssignment = { status: "notAssigned", detailedStatus: "none", assignedAt: null, profile: null };
  const profile = targetingProfile(scenario, record.groupTag);
  if (!profile) return notAssigned;
  const key = serialKey(record.serialNumber);
  const { pendingAfterMs, assignedAfterMs, spreadMs, assignedStatus } = scenario.profiles;
  const elapsed = now - record.createdAt;
  if (rules.never.has(key) || elapsed < pendingAfterMs) return notAssigned;
  const doneAfter = pendingAfterMs + assignedAfterMs + spreadFor(record.id, scenario.seed, spreadMs);
  if (elapsed < doneAfter) return { status: "pending", detailedStatus: "none", assignedAt: null, profile };
  if (rules.failed.has(key)) return { status: "failed", detailedStatus: "hardwareRequirementsNotMet", assignedAt: null, profile };
  return { status: assignedStatus, detailedStatus: "none", assignedAt: record.createdAt + doneAfter, profile };
}
