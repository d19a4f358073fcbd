/**
 * What each per-device error of the Device Directory Service (DDS) means and what the operator should do,
 * for the report's message column. Keyed on deviceErrorCode (the number): names are spelled differently
 * across Microsoft sources. Each text says what happened, with the error name in parentheses, then what to do.
 *
 * Sources, checked against each other:
 *  [graph]  ../shared/docs/autopilot-graph.md §3 (codes 801–808, ZtdDeviceDuplicated, StorageError) and §7 (810–813, 808).
 *  [dds]    Microsoft's DDS error table (801–814, names with the "Ztd" prefix) in a draft of the Microsoft Managed Desktop
 *           device registration article (microsoft-365-docs, managed-desktop/service-description/DeviceRegistration.md).
 *  [learn]  Microsoft Learn, "Manually register devices with Windows Autopilot", section "Troubleshooting registration
 *           failures" (StorageError, ZtdDeviceAssignedToAnotherTenant, ZtdDeviceAlreadyAssigned, ZtdDeviceDuplicated,
 *           InvalidZtdHardwareHash); and learn.microsoft.com/autopilot/manual-registration: Microsoft Store for Business is
 *           deprecated, Intune is the preferred way to register (so no text here sends anyone to the Store).
 *  [repair] Microsoft Learn, "Windows Autopilot motherboard replacement scenario guidance", "Deregister the Autopilot
 *           device": only the entity that registered a device can deregister it: an IT admin in Intune or the Microsoft
 *           365 admin center, an OEM or CSP partner in Partner Center. Checked December 2026; OEM articles (Dell KB
 *           000132036) add that otherwise Microsoft support deregisters it on a request with proof of ownership.
 */

/** Guidance per DDS error code. */
export const ERROR_CODE_ADVICE: Readonly<Record<number, string>> = {
  // [dds] malformed request or no tenant id; [graph] "rare".
  801: "The service could not read the request for this device (InvalidZtdRequestBody); this points to a service-side problem, not to your row. Import the row again; if it keeps failing, open a Microsoft support case.",
  // [learn] one or more hash fields invalid or empty, manufacturer and serial number must be in the hash; [dds] hash invalid.
  802: "The hardware hash is invalid or incomplete (InvalidZtdHardwareHash), for example without the manufacturer or serial number. Recapture the hash on the device (Get-WindowsAutopilotInfo) and import the new row with the hash unchanged.",
  // [dds] serial number and product key both null or invalid.
  803: "The row has neither a usable serial number nor a product key (MissingZtdSerialNumberAndProductKey). Fill in the device's serial number and import the row again.",
  // [dds] already registered to the same tenant; [learn] do not import it again.
  806: "Already registered in this tenant (ZtdDeviceAlreadyAssigned): nothing to do, do not import it again. Update its group tag or user in Intune if they should change (or run with --update-existing).",
  // [dds] the caller tried to change or remove a device that is not registered to its tenant.
  807: "The service acted on a device that is not registered to this tenant (ZtdDeviceIsNotRegistered). Check that you signed in to the right tenant; if the device should be yours, import its hardware hash first.",
  // [dds] registered to another tenant; [graph] §3/§7: only the other tenant or Microsoft support can release it.
  // [learn] spells the name ZtdDeviceAssignedToAnotherTenant; keyed on 808 either way. [repair] who can deregister.
  808: "Registered in another tenant (ZtdDeviceAssignedToOtherTenant); this tenant cannot release it. Whoever registered it must deregister it: that organization's admin in Intune (Windows Autopilot devices) or the Microsoft 365 admin center, or the OEM or reseller in Partner Center. If none of them can, open a Microsoft support case from the Intune admin center with proof of ownership; then import the row again.",
  // [dds] ZtdProfileIsNotRegistered; [graph] §3 only says "profile".
  809: "The service was given a deployment profile that is not registered to this tenant (ZtdProfileIsNotRegistered). Check the Autopilot deployment profile that targets this device's group, then import the row again; if it persists, open a Microsoft support case.",
  // [graph] §7 ProfileAssignedToOtherTenant; [dds] same meaning, with the Ztd prefix the service uses for all its names (followed here).
  810: "The device's deployment profile belongs to another tenant (ZtdProfileAssignedToOtherTenant), a state Microsoft says should not occur. Import the row again later; if it persists, open a Microsoft support case with the serial number.",
  // [graph] §7 DeviceRegisteredByOtherTenant; [dds] ZtdDeviceRegisteredByOtherTenant: registered by another tenant, so this one cannot change or remove it.
  811: "The device was registered by another tenant (ZtdDeviceRegisteredByOtherTenant), so this tenant cannot change or remove it. Whoever registered it must deregister it (in Intune, the Microsoft 365 admin center or Partner Center); if they cannot, open a Microsoft support case from the Intune admin center with proof of ownership.",
  // [graph] §7 DeviceNotFound; [dds] ZtdDeviceNotFound: no hardware hash matches the manufacturer, model and serial number given.
  812: "The service found no device matching this record (ZtdDeviceNotFound): no registered hardware hash matches its manufacturer, model and serial number. Capture the hardware hash on the device (Get-WindowsAutopilotInfo) and import that row.",
  // [graph] §7 DeviceIsNotUnique; [dds] ZtdDeviceIsNotUnique: the device cannot be identified uniquely from its hash.
  813: "The service could not identify the device uniquely from its hardware hash (ZtdDeviceIsNotUnique). Recapture the hash on the device and import it again; if it persists, open a Microsoft support case with the serial number.",
  // [dds] ZtdDeviceAlreadyAadRegistered: the device object already exists in Entra ID (e.g. domain-joined), so DDS cannot pre-create it;
  // [graph] §3 "already-Entra-registered". Named by the sources, so 814 gets its own text.
  814: "The device already exists in Microsoft Entra ID (ZtdDeviceAlreadyAadRegistered), for example because it was joined before, so the service could not create its Autopilot device object. Find that device object in Entra ID: if it is stale, delete it and import again; otherwise open a Microsoft support case.",
};

/** Guidance for errors that come with a name but no meaningful code (lower-case keys). */
export const ERROR_NAME_ADVICE: Readonly<Record<string, string>> = {
  // [learn] duplicate hashes in one upload: one is processed, the others end with this error; [graph] §3, §7.
  ztddeviceduplicated:
    "The same hardware hash was submitted twice in one upload (ZtdDeviceDuplicated): only one copy was processed. See that copy's row for the real outcome, then remove the duplicate row from the file.",
  // [learn] generic service error, retry later, contact support if it persists; [graph] §3 "retry later". No code is documented.
  storageerror:
    "The service had a storage error (StorageError), a generic service-side failure. Import the row again later; if it keeps failing, open a Microsoft support case.",
};

/** The text for an error neither table knows: it names the code and points to Microsoft's list. */
export function genericAdvice(code: number, name: string | null | undefined): string {
  const label = [code ? String(code) : "", name ?? ""].filter(Boolean).join(" ");
  return `The Device Directory Service rejected the device${label ? ` (${label})` : ""}. See Microsoft's Windows Autopilot import error list for this code.`;
}
