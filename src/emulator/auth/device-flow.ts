/**
 * The OAuth 2.0 device authorization grant as Entra ID answers it (RFC 8628): `/{tenant}/oauth2/v2.0/devicecode` hands
 * out a device code and a user code, and the token endpoint's device_code grant answers `authorization_pending` until
 * the emulated user approves (after `auth.deviceCode.approveAfterMs` on the emulator's clock, or through
 * POST /_emulator/device-code/approve), then a user's token (`scp`, `upn`) with an id token and a refresh token, so
 * MSAL keeps the account and later tokens come silently.
 */
import { createHash, randomBytes } from "node:crypto";
import type { Scenario } from "../scenario.js";
import type { EntraError } from "./entra-error.js";

type DeviceKnobs = Scenario["auth"]["deviceCode"];

interface Authorization {
  readonly userCode: string;
  readonly clientId: string;
  /** The resource scopes asked for, as sent (e.g. "https://graph.microsoft.com/DeviceManagementServiceConfig.ReadWrite.All"). */
  readonly scopes: readonly string[];
  readonly issuedAt: number;
  readonly expiresAt: number;
  approved: boolean;
}

/** What a user's sign-in grants: kept with each refresh token. */
export interface UserGrant {
  readonly clientId: string;
  readonly scopes: readonly string[];
  readonly upn: string;
}

const USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ23456789";

// Entra's device-flow errors: the error strings are documented; the AADSTS numbers are as observed in public reports.
const deviceError = (error: string, code: number, description: string): EntraError => ({ status: 400, error, code, description });
export const authorizationPending = (): EntraError => deviceError("authorization_pending", 70016, "OAuth 2.0 device flow error. Authorization is pending. Continue polling.");
export const authorizationDeclined = (): EntraError => deviceError("authorization_declined", 70000, "The user declined the sign-in request.");
export const expiredToken = (): EntraError => deviceError("expired_token", 70019, "Verification code expired.");
export const badVerificationCode = (): EntraError => deviceError("bad_verification_code", 70000, "The device code was not recognized.");
export const badRefreshToken = (): EntraError => ({ status: 400, error: "invalid_grant", code: 9002313, description: "Invalid request. Request is malformed or invalid." });

/** Device authorizations in flight and the refresh tokens of users who signed in. */
export class DeviceFlow {
  private readonly pending = new Map<string, Authorization>();
  private readonly refreshTokens = new Map<string, UserGrant>();

  /** A new device authorization: the body of the devicecode answer (expires_in, interval in real seconds). */
  start(clientId: string, scopes: readonly string[], knobs: DeviceKnobs, context: { now: number; origin: string; realPerEmulated: number }): Record<string, unknown> {
    const deviceCode = randomBytes(32).toString("base64url");
    const userCode = Array.from(randomBytes(9), (byte) => USER_CODE_ALPHABET[byte % USER_CODE_ALPHABET.length]).join("");
    const expiresAt = context.now + knobs.expiresInSeconds * 1000;
    this.pending.set(deviceCode, { userCode, clientId, scopes, issuedAt: context.now, expiresAt, approved: false });
    const verificationUri = `${context.origin}/devicelogin`;
    return {
      user_code: userCode,
      device_code: deviceCode,
      verification_uri: verificationUri,
      expires_in: Math.max(1, Math.floor(knobs.expiresInSeconds * context.realPerEmulated)),
      interval: knobs.intervalSeconds,
      message: `To sign in, use a web browser to open the page ${verificationUri} and enter the code ${userCode} to authenticate.`,
    };
  }

  /** The user approves (one code, or every pending one); returns how many were approved. */
  approve(userCode?: string): number {
    let approved = 0;
    for (const authorization of this.pending.values()) {
      if (authorization.approved || (userCode !== undefined && authorization.userCode !== userCode.toUpperCase())) continue;
      authorization.approved = true;
      approved += 1;
    }
    return approved;
  }

  /** A poll of the token endpoint: the user's grant once approved, else the error to answer. */
  poll(deviceCode: string, clientId: string, knobs: DeviceKnobs, now: number): UserGrant | EntraError {
    const authorization = this.pending.get(deviceCode);
    if (!authorization || authorization.clientId.toLowerCase() !== clientId.toLowerCase()) return badVerificationCode();
    if (now >= authorization.expiresAt) {
      this.pending.delete(deviceCode);
      return expiredToken();
    }
    const due = knobs.approveAfterMs !== null && now >= authorization.issuedAt + knobs.approveAfterMs;
    if (!authorization.approved && !due) return authorizationPending();
    if (knobs.outcome === "decline") {
      this.pending.delete(deviceCode);
      return authorizationDeclined();
    }
    this.pending.delete(deviceCode);
    return { clientId: authorization.clientId, scopes: authorization.scopes, upn: knobs.userPrincipalName };
  }

  newRefreshToken(grant: UserGrant): string {
    const token = randomBytes(48).toString("base64url");
    this.refreshTokens.set(token, grant);
    return token;
  }

  /** A refresh token's grant (rotated: the old token stops working, as Entra's single-page apps do). */
  redeem(refreshToken: string, clientId: string): UserGrant | undefined {
    const grant = this.refreshTokens.get(refreshToken);
    if (!grant || grant.clientId.toLowerCase() !== clientId.toLowerCase()) return undefined;
    this.refreshTokens.delete(refreshToken);
    return grant;
  }
}

/** A stable object id for a user name, so the same user is the same account across sign-ins. */
export function userObjectId(upn: string): string {
  const hex = createHash("sha256").update(upn.toLowerCase()).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const base64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString("base64url");

/** The id token and client_info MSAL builds its account from (MSAL does not check an id token's signature). */
export function userIdentity(grant: UserGrant, context: { tenantId: string; origin: string; now: number; lifetimeSeconds: number }): { idToken: string; clientInfo: string } {
  const oid = userObjectId(grant.upn);
  const iat = Math.floor(context.now / 1000);
  const claims = {
    aud: grant.clientId,
    iss: `${context.origin}/${context.tenantId}/v2.0`,
    iat,
    nbf: iat,
    exp: iat + context.lifetimeSeconds,
    name: grant.upn.split("@")[0],
    oid,
    preferred_username: grant.upn,
    sub: oid,
    tid: context.tenantId,
    ver: "2.0",
  };
  const idToken = `${base64url({ typ: "JWT", alg: "RS256" })}.${base64url(claims)}.${randomBytes(32).toString("base64url")}`;
  return { idToken, clientInfo: base64url({ uid: oid, utid: context.tenantId }) };
}
