import { z } from "zod";
import { registeredDeviceSchema, registeredSeedSchema } from "./scenario-devices.js";

/** A tenant: its app (client id + secret) and the devices it holds at start; `tenant` and each of `tenants`. */
export const tenantSection = z.strictObject({
  /** Generated per start (random GUID) when absent. */
  tenantId: z.uuid().optional(),
  clientId: z.uuid().optional(),
  clientSecret: z.string().min(1).optional(),
  /** Devices registered in the tenant at start and after every reset. */
  registeredDevices: z.array(registeredDeviceSchema).default([]),
  /** Many registered devices generated from `seed` (scenario-devices.ts), after registeredDevices. */
  registeredSeed: registeredSeedSchema,
  /** Today's Graph no longer routes the historical uploads resource; false answers it like an unknown segment. */
  uploadsEnabled: z.boolean().default(true),
});
