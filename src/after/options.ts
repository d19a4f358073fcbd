/** The settings of the steps after an import, as every caller (import, demo, the inbox job) gives them: one type. */
import type { WriteLimit } from "./write-pacer.js";
import type { GroupsRequest } from "../groups/add-to-groups.js";

/** The steps after polling (verify, update existing, sync); see post-import.ts. */
export interface AfterImportOptions {
  /** Confirm imported devices in windowsAutopilotDeviceIdentities. */
  readonly verify: boolean;
  readonly verifyTimeoutMs: number;
  /** For 806 devices, set group tag and user from the CSV when they differ. */
  readonly updateExisting: boolean;
  /** Trigger the Autopilot sync when at least one device was imported. */
  readonly sync: boolean;
  /** After a 429, wait for the 10-minute window and trigger once more. */
  readonly syncWait: boolean;
  readonly syncMaxWaitMs: number;
  /** --wait-profile: follow the registered devices' deployment profile this long; absent: not at all. */
  readonly waitProfileMs?: number;
  /** --add-to-group: the registered devices go into these groups after the registration check; none when absent. */
  readonly addToGroups?: GroupsRequest;
}

/** The deletion of a run's own staged records; see cleanup.ts. */
export interface CleanupSettings {
  /** Delete this run's staged records (on unless --no-cleanup). */
  readonly enabled: boolean;
  /** How long deletes go on once the report is complete. */
  readonly maxTimeMs: number;
  readonly writeLimit: WriteLimit;
}
