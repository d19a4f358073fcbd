/** The pipeline's port (staged-api.ts) over the Graph client: the import action or the beta uploads resource. */
import type { GraphClient } from "../graph/client.js";
import type { ImportedDeviceIdentity, ImportedDeviceIdentityUpload } from "../graph/resources.js";
import { ServiceError } from "../errors.js";
import type { ListOptions, StagedApi } from "./staged-api.js";
import type { PendingDevice, Upload } from "./types.js";

const STAGED = "/deviceManagement/importedWindowsAutopilotDeviceIdentities";
const UPLOADS = "/deviceManagement/importedWindowsAutopilotDeviceIdentityUploads";

/** The wire form of a device: only the inputs Graph accepts, tagged with the upload. */
export function toGraphDevice(pending: PendingDevice, importId: string): Record<string, string> {
  const { device } = pending;
  const body: Record<string, string> = {
    "@odata.type": "#microsoft.graph.importedWindowsAutopilotDeviceIdentity",
    serialNumber: device.serialNumber,
    hardwareIdentifier: device.hardwareIdentifier,
    importId,
  };
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

export function graphStagedApi(client: GraphClient, api: "import" | "upload" = "import"): StagedApi {
  const importBody = (upload: Upload, devices: readonly PendingDevice[]) => ({
    importedWindowsAutopilotDeviceIdentities: devices.map((d) => toGraphDevice(d, upload.id)),
  });
  return {
    api,
    get requests() {
      return client.stats.attempts;
    },

    async open(upload, signal) {
      if (api === "import") return;
      // Creating an empty upload twice is harmless, so this POST may be resent after an unknown outcome.
      const { body } = await client.request<ImportedDeviceIdentityUpload>({
        method: "POST",
        path: UPLOADS,
        version: "beta",
        idempotent: true,
        body: {
          "@odata.type": "#microsoft.graph.importedWindowsAutopilotDeviceIdentityUpload",
          createdDateTimeUtc: upload.createdDateTimeUtc,
          status: "noUpload",
        },
        signal,
      });
      if (!body?.id) throw new ServiceError("creating an upload answered without an id");
      upload.id = body.id;
    },

    async submit(upload, devices, signal) {
      if (api === "import") {
        const { body } = await client.request({ method: "POST", path: `${STAGED}/import`, body: importBody(upload, devices), signal });
        return stagedValue(body, "import");
      }
      const path = `${UPLOADS}/${encodeURIComponent(upload.id)}/deviceIdentities/import`;
      const { body } = await client.request({ method: "POST", path, version: "beta", body: importBody(upload, devices), signal });
      return stagedValue(body, "upload import");
    },

    async *list(options: ListOptions) {
      const query = new URLSearchParams({ $top: String(options.top) });
      if (options.filter) query.set("$filter", options.filter);
      for await (const page of client.pages<ImportedDeviceIdentity>(`${STAGED}?${query.toString()}`, { signal: options.signal })) {
        yield page.value;
      }
    },

    async get(ids, signal) {
      const results = await client.batch<ImportedDeviceIdentity>(
        ids.map((id) => ({ method: "GET", path: `${STAGED}/${encodeURIComponent(id)}` })),
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
