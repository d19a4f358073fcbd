/**
 * Follows registered devices' deployment profile assignment until each is assigned, failed or gone, or the deadline
 * passes: every round reads all the devices still followed at once (read.ts: batched GETs or one listing, never a
 * loop per device), with waits growing between rounds on the injected clock. Devices left without a profile get the
 * likely reason (reasons.ts); those still being assigned at the deadline are `pending`.
 */
import type { GraphClient } from "../graph/client.js";
import { sleep as realSleep } from "../util/abort.js";
import { nextBackoff, waitWithinDeadline, type BackoffPolicy } from "../util/backoff.js";
import { formatDuration } from "../util/duration.js";
import type { AfterRuntime } from "../after/types.js";
import { readRound, type DeviceProfileView } from "./read.js";
import { notAssignedReason, readProfilesOverview } from "./reasons.js";
import { isSettledProfileStatus, type ProfileStatus } from "./status.js";

export interface ProfileTarget {
  /** The Autopilot device id (windowsAutopilotDeviceIdentity.id). */
  readonly autopilotId: string;
  readonly serialNumber: string;
}

export interface ProfileResult {
  readonly status: ProfileStatus;
  /** The assigned profile's display name; "" when none. */
  readonly profileName: string;
  /** One sentence: what the status means for this device and what to do. */
  readonly message: string;
}

export interface ProfileWaitOptions extends AfterRuntime {
  /** How long to follow; 0: read once. */
  readonly deadlineMs: number;
  /** Default: pollPolicy(deadlineMs). */
  readonly poll?: BackoffPolicy;
  /** After each round: how many devices are settled, of how many. */
  readonly onRound?: (settled: number, total: number) => void;
}

/** Rounds every 1/60th of the deadline at first (1 s to 30 s), growing to 1/10th of it (at most a minute). */
export function pollPolicy(deadlineMs: number): BackoffPolicy {
  const minMs = Math.min(30_000, Math.max(1_000, Math.round(deadlineMs / 60)));
  return { minMs, maxMs: Math.max(minMs, Math.min(60_000, Math.round(deadlineMs / 10))), factor: 1.5 };
}

function settledMessage(view: DeviceProfileView | null, name: string): string {
  if (view === null) return "not found in Windows Autopilot devices (deleted meanwhile?)";
  if (view.status === "assigned") return `deployment profile '${name || "?"}' assigned (${view.graphStatus})`;
  const detail = view.detailedStatus && view.detailedStatus !== "none" ? ` (${view.detailedStatus})` : "";
  return `deployment profile assignment failed${detail}: check the device's hardware and the profile in Intune`;
}

export async function waitForProfiles(client: GraphClient, targets: readonly ProfileTarget[], options: ProfileWaitOptions): Promise<ProfileResult[]> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? realSleep;
  const signal = options.signal ?? new AbortController().signal;
  const policy = options.poll ?? pollPolicy(options.deadlineMs);
  const deadline = now() + options.deadlineMs;
  const ids = [...new Set(targets.map((t) => t.autopilotId))];
  const last = new Map<string, DeviceProfileView | null>();
  const settled = new Set<string>();
  const tagProfiles = new Map<string, Set<string>>();
  let tenantSize: number | undefined;
  let wait: number | undefined;
  for (;;) {
    const following = ids.filter((id) => !settled.has(id));
    const round = await readRound(client, following, tenantSize, tagProfiles, signal);
    if (round.listed !== undefined) tenantSize = round.listed;
    for (const [id, view] of round.views) {
      last.set(id, view);
      if (view === null || isSettledProfileStatus(view.status)) settled.add(id);
    }
    options.onRound?.(settled.size, ids.length);
    options.logger?.debug({ settled: settled.size, total: ids.length }, "profile assignment round");
    if (settled.size === ids.length) break;
    wait = nextBackoff(wait, policy);
    const pause = waitWithinDeadline(wait, now(), deadline);
    if (pause === undefined) break;
    await sleep(pause, signal);
  }
  const unassigned = ids.some((id) => last.get(id)?.status === "notAssigned");
  const overview = unassigned ? await readProfilesOverview(client, signal) : undefined;
  const waited = options.deadlineMs > 0 ? ` after ${formatDuration(options.deadlineMs)}` : "";
  return targets.map((target): ProfileResult => {
    const view = last.get(target.autopilotId);
    const name = view?.profileName ?? "";
    if (view === undefined) return { status: "pending", profileName: "", message: "the profile assignment could not be read (Graph refused every try): check again later" };
    if (view === null || isSettledProfileStatus(view.status)) return { status: view === null ? "not_found" : view.status, profileName: name, message: settledMessage(view, name) };
    if (view.status === "notAssigned") return { status: "notAssigned", profileName: "", message: `no deployment profile${waited}: ${notAssignedReason(view.groupTag, overview!, tagProfiles)}` };
    return { status: "pending", profileName: name, message: `deployment profile still being assigned${waited} (${view.graphStatus}): check again later with 'autopilot-import profile-status'` };
  });
}
