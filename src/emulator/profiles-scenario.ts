/**
 * The scenario's `profiles` section: the tenant's Windows Autopilot deployment profiles and the timeline a registered
 * device's assignment follows (docs/autopilot-graph.md: not assigned → assigning → assigned, about 15 minutes observed).
 * All durations are emulated milliseconds.
 */
import { z } from "zod";

const nonNegativeInt = z.number().int().min(0);

export const deploymentProfileSchema = z.strictObject({
  /** Generated from the display name when absent (the same on every start). */
  id: z.string().min(1).optional(),
  displayName: z.string().min(1),
  /** The group tags whose devices the profile's (dynamic) group catches; absent: it targets all devices. */
  groupTags: z.array(z.string().min(1)).min(1).optional(),
});

export const profilesSchema = z
  .strictObject({
    /** Default: one profile for all devices, so an out-of-the-box import gets assigned. */
    deploymentProfiles: z.array(deploymentProfileSchema).default([{ displayName: "Autopilot default" }]),
    /** From registration to `pending` (the dynamic group caught the device). */
    pendingAfterMs: nonNegativeInt.default(120_000),
    /** From `pending` to assigned (or failed), plus a seeded 0..spreadMs per device. */
    assignedAfterMs: nonNegativeInt.default(600_000),
    spreadMs: nonNegativeInt.default(300_000),
    /** The member an assigned device shows (windowsAutopilotProfileAssignmentStatus). */
    assignedStatus: z.enum(["assignedInSync", "assignedOutOfSync", "assignedUnkownSyncState"]).default("assignedUnkownSyncState"),
    /** Serials a profile targets whose assignment never comes (a dynamic group rule that never catches them). */
    neverAssignedSerials: z.array(z.string()).default([]),
    /** Serials whose assignment ends `failed` (detailed status hardwareRequirementsNotMet). */
    failedSerials: z.array(z.string()).default([]),
  })
  .prefault({});

export type ProfilesScenario = z.output<typeof profilesSchema>;
