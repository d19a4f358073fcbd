/** The pipeline's port (staged-api.ts) over the Graph client: the import action or the beta uploads resource. */
import type { GraphClient } from "../graph/client.js";
import { OutcomeUnknownError } from "../graph/errors/index.js";
import type { ImportedDeviceIdentity, ImportedDeviceIdentityUpload } from "../graph/resources.js";
import { ServiceError } from "../errors.js";
import type { ListOptions, StagedApi } from "./staged-api.js";
import type { PendingDevice, Upload } from "./types.js";

const STAGED = "/deviceManagement/importedWindowsAutopilotDeviceIdentities";
const UPLOADS = "/deviceManagement/importedWindowsAutopilotDeviceIdentityUploads";

/** The fields polling and reconciliation read: without hashes a page of 1,000 records is ~20x smaller. */
const SELECT = "id,serialNumber,importId,state";

/** Unknown outcomes of one upload's import in a row before giving up. */
const MAX_UPLOAD_RESENDS = 5;

/** The wire form of a device: only the inputs Graph accepts, tagged with the upload (the uploads resource tags itself). */
export function toGraphDevice(pending: PendingDevice, importId: string | undefined): Record<string, string> {
  const { device } = pending;
  const body: Record<string, string> = {
    "@odata.type": "#microsoft.graph.importedWindowsAutopilotDeviceIdentity",
    serialNumber: device.serialNumber,
    hardwareIdentifier: device.hardwareIdentifier,
  };
  if (importId !== undefined) body.importId = importId;
  if (device.productKey) body.productKey = device.productKey;
  if (device.groupTag) body.groupTag = device.groupTag;
  if (device.assignedUserPrincipalName) body.assignedUserPrincipalName = device.assignedUserPrincipalName;
  return body;
}

function stagedValue(body: unknown, what: string): ImportedDeviceIdentity[] {
  const value = (body as { value?: unknown } | undefined)?.value;
  if (!Array.isArray(value)) throw new ServiceError(`${what} answered without a "value" array`);
  return value as ImportedDeviceIdentity[];
}

/**
 * With `api` "import", devices go to the import action tagged with the upload's id. With "upload", each submission
 * goes into a beta upload resource that has not been imported yet (one is created per submission after the first),
 * and an unknown outcome is settled by the upload itself: still `noUpload` means nothing landed, so the import is sent
 * again to the same upload (a second import of an imported upload is refused with 409, never duplicated).
 */
export function graphStagedApi(client: GraphClient, api: "import" | "upload" = "import"): StagedApi {
  const importBody = (devices: readonly PendingDevice[], importId: string | undefined) => ({
    importedWindowsAutopilotDeviceIdentities: devices.map((d) => toGraphDevice(d, importId)),
  });
  /** Server uploads already imported: they cannot take another submission. */
  const used = new Set<string>();
  /** Per upload of ours, one the service created for a part it then refused: the next part goes there. */
  const spares = new Map<string, string>();

  const createUpload = async (createdDateTimeUtc: string, signal?: AbortSignal): Promise<string> => {
    // Creating an empty upload twice is harmless, so this POST may be resent after an unknown outcome.
    const { body } = await client
      .request<ImportedDeviceIdentityUpload>({
        method: "POST",
        path: UPLOADS,
        version: "beta",
        idempotent: true,
        body: {
          "@odata.type": "#microsoft.graph.importedWindowsAutopilotDeviceIdentityUpload",
          createdDateTimeUtc,
          status: "noUpload",
        },
        signal,
      })
      .catch((error: unknown) => {
        // Graph stopped routing the historical uploads resource in 2019: say what to do instead.
        if (error instanceof ServiceError && (error.status === 400 || error.status === 404)) {
          throw new ServiceError(`--api upload: this service does not offer the beta uploads resource; use --api import (${error.message})`, error.status, error.code, { cause: error });
        }
        throw error;
      });
    if (!body?.id) throw new ServiceError("creating an upload answered without an id");
    return body.id;
  };

  const members = async (uploadId: string, signal?: AbortSignal): Promise<ImportedDeviceIdentity[]> => {
    const records: ImportedDeviceIdentity[] = [];
    const path = `${UPLOADS}/${encodeURIComponent(uploadId)}/deviceIdentities`;
    for await (const page of client.pages<ImportedDeviceIdentity>(path, { version: "beta", signal })) records.push(...page.value);
    return records;
  };

  const submitToUpload = async (upload: Upload, devices: readonly PendingDevice[], signal?: AbortSignal): Promise<ImportedDeviceIdentity[]> => {
    const uploadId = !used.has(upload.id) ? upload.id : (spares.get(upload.id) ?? (await createUpload(upload.createdDateTimeUtc, signal)));
    spares.delete(upload.id);
    const path = `${UPLOADS}/${encodeURIComponent(uploadId)}/deviceIdentities/import`;
    for (let attempt = 1; ; attempt++) {
      try {
        const { body } = await client.request({ method: "POST", path, version: "beta", body: importBody(devices, undefined), signal });
        used.add(uploadId);
        return stagedValue(body, "upload import");
      } catch (error) {
        if (!(error instanceof OutcomeUnknownError) || attempt >= MAX_UPLOAD_RESENDS) {
          // Refused or failed, it may still be empty: the next part of this upload goes there, or release() deletes it.
          if (uploadId !== upload.id && !used.has(uploadId)) spares.set(upload.id, uploadId);
          throw error;
        }
        const { body } = await client.request<ImportedDeviceIdentityUpload>({
          method: "GET",
          path: `${UPLOADS}/${encodeURIComponent(uploadId)}`,
          version: "beta",
          signal,
        });
        if (body.status !== "noUpload") {
          used.add(uploadId);
          return members(uploadId, signal);
        }
      }
    }
  };

  const discardIfEmpty = async (id: string, signal?: AbortSignal): Promise<boolean> => {
    // Only the uploads API creates upload resources; the import action's ids (and recovery ids) name none.
    if (api !== "upload" || id.startsWith("recovery-")) return false;
    const path = `${UPLOADS}/${encodeURIComponent(id)}`;
    const { status, body } = await client.request<ImportedDeviceIdentityUpload>({ method: "GET", path, version: "beta", acceptStatuses: [404], signal });
    if (status === 404 || body.status !== "noUpload" || (await members(id, signal)).length > 0) return false;
    await client.request({ method: "DELETE", path, version: "beta", acceptStatuses: [404], signal });
    return true;
  };

  return {
    api,
    traits: client.traits,
    get requests() {
      return client.stats.attempts;
    },

    async open(upload, signal) {
      if (api === "upload") upload.id = await createUpload(upload.createdDateTimeUtc, signal);
    },

    async release(upload, signal) {
      if (api !== "upload") return;
      const spare = spares.get(upload.id);
      spares.delete(upload.id);
      for (const id of [spare, used.has(upload.id) ? undefined : upload.id]) if (id !== undefined) await discardIfEmpty(id, signal);
    },

    discardIfEmpty,

    async submit(upload, devices, signal) {
      if (api === "upload") return submitToUpload(upload, devices, signal);
      const { body } = await client.request({ method: "POST", path: `${STAGED}/import`, body: importBody(devices, upload.id), signal });
      return stagedValue(body, "import");
    },

    async *list(options: ListOptions) {
      const query = new URLSearchParams({ $top: String(options.top), $select: SELECT });
      if (options.filter) query.set("$filter", options.filter);
      for await (const page of client.pages<ImportedDeviceIdentity>(`${STAGED}?${query.toString()}`, { signal: options.signal })) {
        yield page.value;
      }
    },

    async get(ids, signal) {
      const results = await client.batch<ImportedDeviceIdentity>(
        ids.map((id) => ({ method: "GET", path: `${STAGED}/${encodeURIComponent(id)}?$select=${SELECT}` })),
        { signal },
      );
      const records = new Map<string, ImportedDeviceIdentity | null>();
      results.forEach((result, index) => {
        const id = ids[index]!;
        if (result.ok) records.set(id, result.response.body);
        else if (result.status === 404) records.set(id, null);
        else throw result.error;
      });
      return records;
    },
  };
}
