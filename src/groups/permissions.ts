/** The Graph permissions --add-to-group needs, named in its messages when Graph refuses. */
import { GraphRequestError } from "../graph/errors/index.js";

export const GROUP_MEMBER_PERMISSION = "GroupMember.ReadWrite.All";
/** Finding a device's Entra object (GET /devices); adding a device as a member needs it as well. */
export const DEVICE_READ_PERMISSION = "Device.Read.All";

export const GROUP_PERMISSION_HINT =
  `adding devices to groups needs the Microsoft Graph permissions ${GROUP_MEMBER_PERMISSION} and ${DEVICE_READ_PERMISSION} ` +
  "(application permissions with admin consent for an app; delegated ones and a role such as Intune Administrator when signed in as yourself)";

/** Graph's 403 (Authorization_RequestDenied) for a directory request. */
export function isPermissionRefusal(error: unknown): boolean {
  return error instanceof GraphRequestError && error.status === 403;
}

/** One line for a failed directory request: Graph's words, and the permissions when it refused. */
export function describeFailure(error: unknown): string {
  if (isPermissionRefusal(error)) {
    const graph = error as GraphRequestError;
    return `Graph refused (403 ${graph.graphCode ?? "Forbidden"}: ${graph.graphMessage ?? ""}): ${GROUP_PERMISSION_HINT}`;
  }
  if (error instanceof GraphRequestError) return `Graph answered ${error.status}${error.graphCode ? ` ${error.graphCode}` : ""}: ${error.graphMessage ?? error.message}`;
  return error instanceof Error ? error.message : String(error);
}
