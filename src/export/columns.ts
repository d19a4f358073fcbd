/**
 * The columns of an export of windowsAutopilotDeviceIdentities. The CSV names a column as the import file does where
 * one exists (`Device Serial Number`, `Group Tag`, `Assigned User`; `Manufacturer name` and `Device model` as in the
 * partner format), so an exported file can be edited and fed back; JSON Lines uses Graph's property names.
 */
import type { ReportColumn } from "../report/columns.js";

/** The Graph properties an export reads (beta carries deploymentProfileAssignmentStatus; v1.0 does not). */
export interface ExportedDevice {
  readonly id: string;
  readonly serialNumber?: string | null;
  readonly manufacturer?: string | null;
  readonly model?: string | null;
  readonly groupTag?: string | null;
  readonly userPrincipalName?: string | null;
  readonly displayName?: string | null;
  readonly enrollmentState?: string | null;
  readonly deploymentProfileAssignmentStatus?: string | null;
  readonly purchaseOrderIdentifier?: string | null;
  readonly lastContactedDateTime?: string | null;
  readonly azureActiveDirectoryDeviceId?: string | null;
  readonly managedDeviceId?: string | null;
}

const NO_ID = "00000000-0000-0000-0000-000000000000";

/** Graph's "never" (0001-01-01) and an empty id read as nothing: an empty cell, not a date in year 1. */
const lastContacted = (device: ExportedDevice): string | null => {
  const value = device.lastContactedDateTime ?? null;
  return value === null || value.startsWith("0001-01-01") ? null : value;
};
const realId = (value: string | null | undefined): string | null => (value === undefined || value === null || value === "" || value === NO_ID ? null : value);
const text = (value: string | null | undefined): string => value ?? "";

/** [CSV header, JSON key, value]: one table so the two formats cannot drift apart. */
const FIELDS: readonly (readonly [string, string, (device: ExportedDevice) => string | null])[] = [
  ["Device Serial Number", "serialNumber", (d) => text(d.serialNumber)],
  ["Manufacturer name", "manufacturer", (d) => text(d.manufacturer)],
  ["Device model", "model", (d) => text(d.model)],
  ["Group Tag", "groupTag", (d) => text(d.groupTag)],
  ["Assigned User", "userPrincipalName", (d) => text(d.userPrincipalName)],
  ["Display Name", "displayName", (d) => text(d.displayName)],
  ["Enrollment State", "enrollmentState", (d) => d.enrollmentState ?? null],
  ["Profile Assignment Status", "deploymentProfileAssignmentStatus", (d) => d.deploymentProfileAssignmentStatus ?? null],
  ["Purchase Order", "purchaseOrderIdentifier", (d) => text(d.purchaseOrderIdentifier)],
  ["Last Contacted", "lastContactedDateTime", lastContacted],
  ["Autopilot Device ID", "id", (d) => d.id],
  ["Entra Device ID", "azureActiveDirectoryDeviceId", (d) => realId(d.azureActiveDirectoryDeviceId)],
  ["Intune Device ID", "managedDeviceId", (d) => realId(d.managedDeviceId)],
];

export const EXPORT_CSV_COLUMNS: readonly ReportColumn<ExportedDevice>[] = FIELDS.map(([header, , value]) => ({ header, value }));
export const EXPORT_JSON_COLUMNS: readonly ReportColumn<ExportedDevice>[] = FIELDS.map(([, header, value]) => ({ header, value }));

