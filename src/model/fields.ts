import type { DeviceIdentity } from "./device.js";

/** The device fields a CSV column can feed. */
export type DeviceField = keyof DeviceIdentity;

export const DEVICE_FIELDS: readonly DeviceField[] = [
  "serialNumber",
  "hardwareIdentifier",
  "productKey",
  "groupTag",
  "assignedUserPrincipalName",
];

/** The admin center's header names, used in messages when the file does not name a column itself. */
export const FIELD_LABELS: Readonly<Record<DeviceField, string>> = {
  serialNumber: "Device Serial Number",
  hardwareIdentifier: "Hardware Hash",
  productKey: "Windows Product ID",
  groupTag: "Group Tag",
  assignedUserPrincipalName: "Assigned User",
};
