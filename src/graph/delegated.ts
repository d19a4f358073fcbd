/**
 * Signing in as the admin (delegated access), as `Connect-MgGraph -Scopes DeviceManagementServiceConfig.ReadWrite.All`
 * does: a public client app, the user's own consent or an admin's, and a named scope instead of `.default`.
 */

/** The permission every Autopilot import needs, application or delegated. */
export const AUTOPILOT_PERMISSION = "DeviceManagementServiceConfig.ReadWrite.All";

/**
 * "Microsoft Graph Command Line Tools", the public client Connect-MgGraph signs in with when no -ClientId is given.
 * An organisation may block it (or require assignment); it then registers a public client of its own (--client-id).
 */
export const DEFAULT_PUBLIC_CLIENT_ID = "14d82eec-204b-4c2f-b7e8-296a70dab67e";

export type DelegatedMethod = "deviceCode" | "interactive";

export function isDelegated(method: string | undefined): method is DelegatedMethod {
  return method === "deviceCode" || method === "interactive";
}

/**
 * The delegated scope on a Graph root: named, not `.default`, so the default public client asks for exactly this
 * permission (and the user or an admin can consent to it at sign-in) whatever it was granted before.
 */
export function delegatedScope(graphRoot: string): string {
  return `${graphRoot.replace(/\/+$/, "")}/${AUTOPILOT_PERMISSION}`;
}

/** What the device-code flow shows the user: the URL to open and the code to enter (the service's own words). */
export interface DeviceCodePrompt {
  readonly userCode: string;
  readonly verificationUri: string;
  readonly message: string;
}
