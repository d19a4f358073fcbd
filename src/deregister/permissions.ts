/** The Graph permissions a deregistration needs, named in its messages. */

/** Deleting (and reading) Autopilot records. */
export const AUTOPILOT_PERMISSION = "DeviceManagementServiceConfig.ReadWrite.All";
/** Deleting Intune managed devices (--delete-intune-record). */
export const MANAGED_DEVICES_PERMISSION = "DeviceManagementManagedDevices.ReadWrite.All";
