/** Graph resource shapes this tool reads and writes (see ../shared/docs/autopilot-graph.md §2). */

export type DeviceImportStatus = "unknown" | "pending" | "partial" | "complete" | "error";

/** importedWindowsAutopilotDeviceIdentity: a staged record. */
export interface ImportedDeviceIdentity {
  readonly "@odata.type"?: string;
  readonly id: string;
  readonly serialNumber: string;
  readonly productKey?: string | null;
  readonly hardwareIdentifier?: string | null;
  readonly groupTag?: string | null;
  readonly assignedUserPrincipalName?: string | null;
  readonly importId?: string | null;
  readonly state: {
    readonly deviceImportStatus: DeviceImportStatus;
    readonly deviceRegistrationId?: string | null;
    /** Int32, 0 when there is no error. */
    readonly deviceErrorCode: number;
    readonly deviceErrorName?: string | null;
  };
}

export type UploadStatus = "noUpload" | "pending" | "complete" | "error";

/** importedWindowsAutopilotDeviceIdentityUpload (beta, historical): this tool's unit of batching. */
export interface ImportedDeviceIdentityUpload {
  readonly id: string;
  readonly createdDateTimeUtc: string;
  readonly status: UploadStatus;
}

/** windowsAutopilotDeviceIdentity: a registered device. */
export interface AutopilotDeviceIdentity {
  readonly id: string;
  readonly serialNumber: string;
  readonly groupTag?: string | null;
  readonly productKey?: string | null;
  readonly manufacturer?: string | null;
  readonly model?: string | null;
  readonly userPrincipalName?: string | null;
  readonly enrollmentState?: string;
  readonly [property: string]: unknown;
}

export type AutopilotSyncStatus = "unknown" | "inProgress" | "completed" | "failed";

/** windowsAutopilotSettings (beta singleton). */
export interface AutopilotSettings {
  readonly id: string;
  readonly lastSyncDateTime: string;
  readonly lastManualSyncTriggerDateTime: string;
  readonly syncStatus: AutopilotSyncStatus;
}
