/** What to tell an admin when Graph refuses the sign-in (401/403): the permission, for which kind of access, and how to grant it. */
import { AUTOPILOT_PERMISSION } from "./delegated.js";

/** App-only (a secret, certificate, managed or workload identity) or a user's own sign-in (--device-code, --interactive). */
export type GraphAccess = "application" | "delegated";

export function permissionHint(access: GraphAccess): string {
  if (access === "delegated") {
    return (
      `signed in as yourself, you need the delegated permission ${AUTOPILOT_PERMISSION} (consented for the client app: ` +
      "accept it at sign-in, or have an admin grant consent in Entra ID > Enterprise applications > the app > Permissions) " +
      "and an Intune role that may import Autopilot devices (Intune Administrator, or a custom role with Enrollment programs: Create/Delete device): " +
      "ask an Intune admin to assign it in Intune > Tenant administration > Roles"
    );
  }
  return (
    `the app needs the Microsoft Graph application permission ${AUTOPILOT_PERMISSION} with admin consent: ` +
    "Entra ID > App registrations > the app > API permissions > Add a permission > Microsoft Graph > Application permissions, " +
    "then Grant admin consent (a managed identity gets it as an app role assignment, e.g. with New-MgServicePrincipalAppRoleAssignment)"
  );
}
