/**
 * The scenario's registered devices: those listed one by one (`tenant.registeredDevices`) and those generated
 * deterministically in bulk (`tenant.registeredSeed`), with the properties an export, an update or a deregistration
 * reads. Names and enum members follow Microsoft's metadata for windowsAutopilotDeviceIdentity.
 */
import { z } from "zod";

/** graph.enrollmentState (v1.0 metadata). */
export const ENROLLMENT_STATES = ["unknown", "enrolled", "pendingReset", "failed", "notContacted"] as const;
export type EnrollmentState = (typeof ENROLLMENT_STATES)[number];

/** graph.windowsAutopilotProfileAssignmentStatus (beta): the members a registered device moves through. */
export const PROFILE_ASSIGNMENT_STATUSES = [
  "unknown", "assignedInSync", "assignedOutOfSync", "assignedUnkownSyncState", "notAssigned", "pending", "failed",
] as const;
export type ProfileAssignmentStatus = (typeof PROFILE_ASSIGNMENT_STATUSES)[number];

export const registeredDeviceSchema = z.strictObject({
  id: z.string().min(1).optional(),
  serialNumber: z.string().min(1),
  groupTag: z.string().optional(),
  productKey: z.string().optional(),
  manufacturer: z.string().optional(),
  model: z.string().optional(),
  userPrincipalName: z.string().optional(),
  addressableUserName: z.string().optional(),
  displayName: z.string().optional(),
  purchaseOrderIdentifier: z.string().optional(),
  enrollmentState: z.enum(ENROLLMENT_STATES).optional(),
  deploymentProfileAssignmentStatus: z.enum(PROFILE_ASSIGNMENT_STATUSES).optional(),
  lastContactedDateTime: z.iso.datetime({ offset: true }).optional(),
  /** Enrolled in Intune: the device also gets a managed device record (deviceManagement/managedDevices), linked by managedDeviceId. */
  managed: z.boolean().optional(),
});

const ratio = z.number().min(0).max(1);

/** N registered devices generated from the scenario's seed: the same tenant on every start and reset. */
export const registeredSeedSchema = z
  .strictObject({
    count: z.number().int().min(0).max(1_000_000).default(0),
    /** Serials are `<prefix>-<n, 6 digits>`. */
    serialPrefix: z.string().min(1).default("SEED"),
    /** Share enrolled in Intune (enrollmentState enrolled, a managed device record, a last contact, profile assigned). */
    enrolledRatio: ratio.default(0.5),
    /** Share with no group tag; the others take one of `groupTags`. */
    untaggedRatio: ratio.default(0.25),
    groupTags: z.array(z.string()).min(1).default(["Sales", "Engineering", "Kiosk"]),
    /** Share with an assigned user (`user<n>@<userDomain>`). */
    assignedUserRatio: ratio.default(0.2),
    userDomain: z.string().min(1).default("contoso.com"),
    /** Purchase orders spread over the devices ("" for a share of them, like the tag). */
    purchaseOrders: z.array(z.string()).default(["PO-1001", "PO-1002", ""]),
  })
  .prefault({});

export type RegisteredSeed = z.output<typeof registeredSeedSchema>;
