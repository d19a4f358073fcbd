/** Which tenant and Graph endpoint a run talks to: part of its run key, so a run never resumes against another. */
import { resolveEndpoints, type CloudName } from "../graph/clouds.js";

export interface RunTarget {
  /** The tenant as configured (undefined: the credential's own). */
  readonly tenant: string | undefined;
  /** The Graph root requests go to. */
  readonly endpoint: string;
}

export function runTargetFor(auth: { readonly tenantId: string | undefined; readonly cloud: CloudName; readonly graphUrl: string | undefined }): RunTarget {
  return { tenant: auth.tenantId, endpoint: resolveEndpoints({ cloud: auth.cloud, graphUrl: auth.graphUrl }).graphRoot };
}
