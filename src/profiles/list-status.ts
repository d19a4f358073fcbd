/**
 * `profile-status` without the terminal: each listed serial found exactly (findBySerials: none is not_found, several
 * are ambiguous), then the profile assignment of those found read once or followed until the deadline (wait.ts), and
 * one report row per input row, in input order.
 */
import { exactSerialMatches, findBySerials } from "../after/registered.js";
import type { AfterRuntime } from "../after/types.js";
import type { ListRowResult } from "../devices/list-reader.js";
import type { GraphClient } from "../graph/client.js";
import { countProfileStatus, emptyProfileCounts, type ProfileCounts, type ProfileStatus } from "./status.js";
import { waitForProfiles, type ProfileTarget } from "./wait.js";

/** Serials looked up per findBySerials call (each is 20 to a $batch inside). */
const LOOKUP_CHUNK = 500;

export type ProfileStatusRowStatus = ProfileStatus | "ambiguous" | "unchecked" | "invalid" | "duplicate";

export interface ProfileStatusRow {
  readonly file: string;
  readonly line: number;
  readonly serialNumber: string;
  readonly status: ProfileStatusRowStatus;
  readonly profileName: string;
  /** The device's group tag as Graph has it. */
  readonly groupTag: string;
  readonly autopilotDeviceId: string;
  readonly message: string;
}

export interface ProfileStatusSummary extends ProfileCounts {
  rows: number;
  ambiguous: number;
  unchecked: number;
  invalid: number;
  duplicates: number;
}

export interface ProfileStatusRun extends AfterRuntime {
  readonly client: GraphClient;
  readonly rows: () => AsyncIterable<ListRowResult>;
  readonly waitMs: number;
  readonly report: (row: ProfileStatusRow) => void | Promise<void>;
  readonly onRound?: (settled: number, total: number) => void;
}

type Pending = { row: Omit<ProfileStatusRow, "status" | "profileName" | "message"> & Partial<ProfileStatusRow>; target?: ProfileTarget };

export async function profileStatusOfList(run: ProfileStatusRun): Promise<ProfileStatusSummary> {
  const entries: Pending[] = [];
  const toFind: number[] = [];
  for await (const result of run.rows()) {
    const base = { file: result.location.file, line: result.location.line, groupTag: "", autopilotDeviceId: "" };
    if (result.status === "valid") {
      toFind.push(entries.length);
      entries.push({ row: { ...base, serialNumber: result.device.serialNumber } });
    } else {
      entries.push({ row: { ...base, serialNumber: result.serialNumber, status: result.status, profileName: "", message: result.message } });
    }
  }
  for (let start = 0; start < toFind.length; start += LOOKUP_CHUNK) {
    const chunk = toFind.slice(start, start + LOOKUP_CHUNK);
    const lookups = await findBySerials(run.client, chunk.map((i) => entries[i]!.row.serialNumber), run.signal);
    chunk.forEach((index, k) => {
      const entry = entries[index]!;
      const lookup = lookups[k]!;
      const notDone = { profileName: "" };
      if (!lookup.ok) entry.row = { ...entry.row, ...notDone, status: "unchecked", message: `could not be looked up: ${lookup.error.message}` };
      else {
        const matches = exactSerialMatches(entry.row.serialNumber, lookup.value);
        if (matches.length === 0) entry.row = { ...entry.row, ...notDone, status: "not_found", message: "not found in Windows Autopilot devices" };
        else if (matches.length > 1) {
          entry.row = { ...entry.row, ...notDone, status: "ambiguous", autopilotDeviceId: matches.map((d) => d.id).join(" "), message: `${matches.length} Autopilot devices have this serial number: check them in Intune` };
        } else {
          const device = matches[0]!;
          entry.row = { ...entry.row, autopilotDeviceId: device.id, groupTag: device.groupTag ?? "" };
          entry.target = { autopilotId: device.id, serialNumber: device.serialNumber };
        }
      }
    });
  }
  const followed = entries.filter((e) => e.target !== undefined);
  const results = await waitForProfiles(run.client, followed.map((e) => e.target!), { ...run, deadlineMs: run.waitMs, ...(run.onRound ? { onRound: run.onRound } : {}) });
  followed.forEach((entry, i) => {
    const result = results[i]!;
    entry.row = { ...entry.row, status: result.status, profileName: result.profileName, message: result.message };
  });
  const summary: ProfileStatusSummary = { ...emptyProfileCounts(), rows: entries.length, ambiguous: 0, unchecked: 0, invalid: 0, duplicates: 0 };
  for (const { row } of entries) {
    const status = row.status as ProfileStatusRowStatus;
    if (status === "ambiguous") summary.ambiguous += 1;
    else if (status === "unchecked") summary.unchecked += 1;
    else if (status === "invalid") summary.invalid += 1;
    else if (status === "duplicate") summary.duplicates += 1;
    else countProfileStatus(summary, status);
    await run.report(row as ProfileStatusRow);
  }
  return summary;
}
