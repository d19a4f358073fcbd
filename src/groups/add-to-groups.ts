/**
 * --add-to-group after an import or an update: every registered device (by its Autopilot record id) into every named
 * group. The Entra objects are found once for all groups, then each group takes its members 20 at a time. Each device
 * gets one `groups` cell for the report; the tally counts device-and-group pairs for the summary and the exit code.
 */
import type { GraphClient } from "../graph/client.js";
import type { BackoffPolicy } from "../util/backoff.js";
import { addMembers, type MemberOutcome } from "./add-members.js";
import { findEntraDevices } from "./entra-devices.js";
import type { ResolvedGroup } from "./resolve-groups.js";

/** What a command asks of the step after its devices are registered (or updated). */
export interface GroupsRequest {
  readonly groups: readonly ResolvedGroup[];
  /** How long to wait for Entra device objects that lag the registration. */
  readonly entraWaitMs: number;
  /** Filled in as devices are added: read by the command for its summary and exit code. */
  readonly tally: GroupTally;
  readonly poll?: BackoffPolicy;
  /** Prints a line for the person running the command (the group tag's dynamic rule); none when absent. */
  readonly tell?: (line: string) => void;
}

export interface GroupsRuntime {
  readonly signal: AbortSignal;
  readonly now: () => number;
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** Device-and-group pairs by outcome, and the devices with at least one failed pair. */
export class GroupTally {
  added = 0;
  alreadyMember = 0;
  failed = 0;
  devicesFailed = 0;

  toJSON(): { added: number; alreadyMember: number; failed: number; devicesFailed: number } {
    return { added: this.added, alreadyMember: this.alreadyMember, failed: this.failed, devicesFailed: this.devicesFailed };
  }

  /** `groups: 18 added, 2 already members, 1 failed (1 device)`. */
  line(): string {
    const failed = this.failed > 0 ? `, ${this.failed} failed (${this.devicesFailed} device${this.devicesFailed === 1 ? "" : "s"}: see the report's groups column)` : "";
    return `groups: ${this.added} added, ${this.alreadyMember} already member${this.alreadyMember === 1 ? "" : "s"}${failed}`;
  }
}

export interface DeviceGroups {
  /** The report's cell: `Sales: added; Kiosk: already member; Lab: failed (…)`. */
  readonly cell: string;
  readonly failed: boolean;
}

const told = (outcome: MemberOutcome): string =>
  outcome.kind === "added" ? "added" : outcome.kind === "already_member" ? "already member" : `failed (${outcome.reason})`;

/** Adds each record's device to each group; one result per distinct record id. */
export async function addDevicesToGroups(client: GraphClient, request: GroupsRequest, recordIds: readonly string[], runtime: GroupsRuntime): Promise<Map<string, DeviceGroups>> {
  const results = new Map<string, DeviceGroups>();
  const ids = [...new Set(recordIds.filter(Boolean))];
  if (ids.length === 0 || request.groups.length === 0) return results;
  const lookups = await findEntraDevices(client, ids, { signal: runtime.signal, waitMs: request.entraWaitMs, now: runtime.now, sleep: runtime.sleep, ...(request.poll ? { poll: request.poll } : {}) });
  const found = ids.filter((id) => lookups.get(id)?.kind === "found");
  const objectOf = (id: string): string => (lookups.get(id) as { objectId: string }).objectId;
  const perGroup = new Map<string, MemberOutcome[]>();
  for (const group of request.groups) perGroup.set(group.id, await addMembers(client, group.id, found.map(objectOf), runtime.signal));
  const { tally } = request;
  for (const id of ids) {
    const lookup = lookups.get(id)!;
    if (lookup.kind !== "found") {
      tally.failed += request.groups.length;
      tally.devicesFailed += 1;
      results.set(id, { cell: `not added to ${request.groups.map((g) => g.displayName).join(", ")}: ${lookup.reason}`, failed: true });
      continue;
    }
    const index = found.indexOf(id);
    const outcomes = request.groups.map((group) => ({ group, outcome: perGroup.get(group.id)![index]! }));
    for (const { outcome } of outcomes) {
      if (outcome.kind === "added") tally.added += 1;
      else if (outcome.kind === "already_member") tally.alreadyMember += 1;
      else tally.failed += 1;
    }
    const failed = outcomes.some(({ outcome }) => outcome.kind === "failed");
    if (failed) tally.devicesFailed += 1;
    results.set(id, { cell: outcomes.map(({ group, outcome }) => `${group.displayName}: ${told(outcome)}`).join("; "), failed });
  }
  return results;
}
