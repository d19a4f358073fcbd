/**
 * The operations the pipeline needs from Graph, as one small port. The Graph implementation is in graph-staged-api.ts;
 * unit tests use an in-memory service behind the same port.
 */
import type { ImportedDeviceIdentity } from "../graph/resources.js";
import type { PendingDevice, Upload } from "./types.js";

export interface ListOptions {
  /** An OData filter, e.g. "importId eq '…'"; rejected with a 400 when the service does not support it. */
  readonly filter?: string;
  /** Page size asked for ($top); the service may clamp it. */
  readonly top: number;
  readonly signal?: AbortSignal;
}

export interface StagedApi {
  /** Which submission route this is: the `import` action, or the beta uploads resource. */
  readonly api: "import" | "upload";
  /**
   * Prepares an upload before its first submission. With the uploads resource this creates it on the service and
   * replaces `upload.id` with the service's id; with the import action it does nothing.
   */
  open(upload: Upload, signal?: AbortSignal): Promise<void>;
  /** Submits devices tagged with the upload's id (`importId`); resolves to the staged records. */
  submit(upload: Upload, devices: readonly PendingDevice[], signal?: AbortSignal): Promise<ImportedDeviceIdentity[]>;
  /** Pages of staged records, in the service's order. */
  list(options: ListOptions): AsyncIterable<readonly ImportedDeviceIdentity[]>;
  /** Staged records by id, JSON-batched (20 per request); null for an id the service no longer has. */
  get(ids: readonly string[], signal?: AbortSignal): Promise<Map<string, ImportedDeviceIdentity | null>>;
  /** HTTP requests sent so far (retries included; a $batch counts once). */
  readonly requests: number;
}

/** What the run has learned about the service, shared by the submitter's reconciliation and the poller. */
export interface ServiceCapabilities {
  /** Whether `$filter=importId eq '…'` works on staged records: undefined until tried. */
  importIdFilter: boolean | undefined;
  /** The page size the service honours for $top (learned from full pages). */
  pageSize: number;
}

/** An OData string literal: single quotes doubled. */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
