/**
 * Intune's answer to a token without the right to import Autopilot devices: 403 Forbidden with its own JSON message
 * inside Graph's, worded as public reports show it ("Application is not authorized …", "User is not authorized …").
 */
import { randomUUID } from "node:crypto";
import { AUTOPILOT_PERMISSION } from "../../graph/delegated.js";
import { GraphError } from "../graph-error.js";
import type { Scenario } from "../scenario.js";
import type { Principal } from "./token-store.js";

const ACCEPTED = ["DeviceManagementServiceConfig.Read.All", AUTOPILOT_PERMISSION];
/** Intune's managed devices take their own permission: reading with either, deleting with ReadWrite only. */
export const MANAGED_DEVICES_PERMISSION = "DeviceManagementManagedDevices.ReadWrite.All";
const MANAGED_READ = ["DeviceManagementManagedDevices.Read.All", MANAGED_DEVICES_PERMISSION];

function intuneMessage(text: string): string {
  return JSON.stringify({
    _version: 3,
    Message: `${text} - Operation ID (for customer support): 00000000-0000-0000-0000-000000000000 - Activity ID: ${randomUUID()}`,
    CustomApiErrorPhrase: "",
    RetryAfter: null,
    ErrorSourceService: "",
    HttpHeaders: "{}",
  });
}

/** The 403 for a request under /deviceManagement that the token may not make; undefined when it may. */
export function permissionRefusal(
  principal: Principal,
  segments: readonly string[],
  grants: Pick<Scenario["auth"]["grants"], "applicationPermission" | "delegatedPermission" | "userIntuneRole" | "managedDevicesPermission">,
  method = "GET",
): GraphError | undefined {
  // Direct requests only: the items of a $batch are not checked (a documented gap of the emulator).
  if (segments[0] !== "deviceManagement") return undefined;
  const delegated = principal.scp !== undefined;
  const scopes = new Set((principal.scp ?? "").split(" "));
  const managed = segments[1] === "managedDevices";
  const accepted = managed ? (method === "GET" ? MANAGED_READ : [MANAGED_DEVICES_PERMISSION]) : ACCEPTED;
  const granted = managed ? grants.managedDevicesPermission : grants.applicationPermission;
  const hasPermission = delegated ? accepted.some((name) => scopes.has(name)) : granted;
  if (!hasPermission) {
    const who = delegated ? "" : " as called in app only context";
    return new GraphError(403, "Forbidden", intuneMessage(`Application is not authorized to perform this operation${who}. Application must have one of the following scopes: ${accepted.join(", ")}`));
  }
  if (delegated && !grants.userIntuneRole) return new GraphError(403, "Forbidden", intuneMessage("User is not authorized to perform this operation"));
  return undefined;
}

/** Entra's 403 for devices and groups without GroupMember.ReadWrite.All and Device.Read.All; undefined when granted. */
export function directoryRefusal(grants: Pick<Scenario["auth"]["grants"], "groupMemberPermission">): GraphError | undefined {
  return grants.groupMemberPermission ? undefined : new GraphError(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.");
}
