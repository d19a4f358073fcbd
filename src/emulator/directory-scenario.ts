/** The scenario's `directory` section: Entra ID's device objects and groups (see directory.ts). */
import { z } from "zod";

export const directoryScenarioSchema = z
  .strictObject({
    /** Emulated ms after registration before the device object shows in the directory (Entra lags Autopilot). */
    deviceLagMs: z.number().int().min(0).default(0),
    /** Members per page of GET /groups/{id}/members. */
    membersPageSize: z.number().int().min(1).default(100),
    groups: z
      .array(
        z.strictObject({
          id: z.uuid().optional(),
          displayName: z.string().min(1),
          description: z.string().default(""),
          /** Set: a dynamic membership group, which refuses manual members. */
          membershipRule: z.string().min(1).optional(),
          /** Registered devices (by serial) that are members at start, after every reset and when groups are set. */
          memberSerials: z.array(z.string()).default([]),
        }),
      )
      .default([]),
  })
  .prefault({});
