/**
 * Shared record types that flow through the pipeline:
 * CSV reader → RowResult → uploads → Graph → DeviceOutcome → report.
 */

/** Where a row came from: the input file (or "-" for stdin) and the line the record starts on (1-based). */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
}

/**
 * A validated device, shaped like the inputs of Graph's importedWindowsAutopilotDeviceIdentity.
 * `hardwareIdentifier` is standard, padded base64 (repaired and normalized by the validator).
 */
export interface DeviceIdentity {
  readonly serialNumber: string;
  readonly hardwareIdentifier: string;
  readonly productKey?: string;
  readonly groupTag?: string;
  readonly assignedUserPrincipalName?: string;
}

/** What the reader yields for every data row: exactly one per row, so nothing is ever lost. */
export type RowResult =
  | { readonly status: "valid"; readonly location: SourceLocation; readonly device: DeviceIdentity }
  | {
      readonly status: "invalid";
      readonly location: SourceLocation;
      /** The raw serial number when one could be read, for the report. */
      readonly serialNumber: string;
      /** Machine-readable reason, e.g. "hash_not_base64". */
      readonly code: string;
      /** A sentence a person understands, naming the column. */
      readonly message: string;
      /** The column (header as written in the file) the problem is in, when there is one. */
      readonly column?: string;
    }
  | {
      readonly status: "duplicate";
      readonly location: SourceLocation;
      readonly serialNumber: string;
      readonly code: "duplicate_serial" | "duplicate_hash";
      readonly message: string;
      readonly firstSeen: SourceLocation;
    };
