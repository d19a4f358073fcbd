/**
 * The operations the pipeline needs from Graph, as one small port. The Graph implementation is in graph-staged-api.ts;
 * unit tests use an in-memory service behind the same port.
 */
import type { ImportedDeviceIdentity } from "../graph/resources.js";
import { ServiceTraits } from "../graph/service-traits.js";
import { StagedElsewhere } from "./staged-elsewhere.js";
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
  /**
   * The uploads resource: deletes what this process created for `upload` and did not fill (a spare made for a part
   * that the service then refused, or the upload itself when no device was sent), so no empty upload is left behind.
   */
  release?(upload: Upload, signal?: AbortSignal): Promise<void>;
  /**
   * The uploads resource: deletes the upload `id` if it is still empty (a journaled upload an interrupted process
   * never filled); true when deleted. Nothing happens to an upload that holds devices.
   */
  discardIfEmpty?(id: string, signal?: AbortSignal): Promise<boolean>;
  /** HTTP requests sent so far (retries included; a $batch counts once). */
  readonly requests: number;
  /** What the run learned of the service (the Graph client's, so its lessons and ours share one journal). */
  readonly traits: ServiceTraits;
}

/** What the run has learned about the service, shared by the submitter's reconciliation and the poller. */
export interface ServiceCapabilities {
  /** Whether `$filter=importId eq '…'` works on staged records: undefined until tried. */
  importIdFilter: boolean | undefined;
  /** The page size the service honours for $top (learned from full pages). */
  pageSize: number;
  /** Learned behaviour, `importIdKept` above all (see service-traits.ts). */
  readonly traits: ServiceTraits;
  /**
   * Ids of the staged records that were in the tenant before this run sent anything (undefined: none taken). When the
   * service does not keep our importId, only a record outside it can be the one a lost answer staged.
   */
  baseline: ReadonlySet<string> | undefined;
  /** Staged ids already matched to one of our devices: never matched to another. */
  readonly claimed: Set<string>;
  /** Serials another import had staged before this run sent anything (warned about before they are submitted). */
  readonly stagedElsewhere: StagedElsewhere;
}

/** Fresh capabilities for a run: nothing learned yet. */
export function newCapabilities(traits: ServiceTraits = new ServiceTraits()): ServiceCapabilities {
  return { importIdFilter: undefined, pageSize: 1000, traits, baseline: undefined, claimed: new Set(), stagedElsewhere: new StagedElsewhere() };
}

/**
 * Whether `importId eq` finds an upload's records: the filter must work and the service must keep the importId we send
 * (a public report shows it storing the record's own id there, which makes the filter answer nothing).
 */
export function importIdUsable(capabilities: ServiceCapabilities): boolean {
  return capabilities.importIdFilter !== false && capabilities.traits.get("importIdKept") !== false;
}

export { odataString } from "../graph/serial-filter.js";
