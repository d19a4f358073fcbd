import { timingSafeEqual } from "node:crypto";
import {
  invalidSecret,
  malformedTenant,
  missingParameter,
  missingSecret,
  scopeWithoutDefault,
  unknownClient,
  unknownResource,
  unknownTenant,
  unsupportedGrantType,
  wrongMethod,
  type EntraError,
} from "./entra-error.js";
import { AUTOPILOT_PERMISSION } from "../../graph/delegated.js";
import type { Scenario } from "../scenario.js";
import { badRefreshToken, userIdentity, type DeviceFlow, type UserGrant } from "./device-flow.js";
import type { TokenStore } from "./token-store.js";

/** The one app registration the emulated tenant knows. */
export interface Identity {
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: string;
}

export interface IssuerRequest {
  readonly method: string;
  /** Path segments after the host, e.g. ["<tenant>", "oauth2", "v2.0", "token"]. */
  readonly segments: readonly string[];
  readonly body: string;
  readonly authorization: string | undefined;
}

export type IssuerAnswer =
  | { readonly kind: "ok"; readonly status: number; readonly body: unknown; readonly headers?: Record<string, string> }
  | { readonly kind: "error"; readonly error: EntraError };

export interface IssuerSettings {
  readonly identity: Identity;
  /** Scheme + host + port of the emulator, e.g. https://127.0.0.1:8443. */
  readonly origin: string;
  readonly lifetimeSeconds: number;
  /** Real seconds per emulated second (1 / clock speed), for `expires_in`. */
  readonly realPerEmulated: number;
  readonly acceptedResources: readonly string[];
  readonly now: number;
  /** Public clients, the device-code knobs and what the tenant granted (scenario `auth`). */
  readonly auth: Pick<Scenario["auth"], "publicClientIds" | "deviceCode" | "grants">;
}

const TENANT_FORM = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[a-z0-9-]+(?:\.[a-z0-9-]+)+|common|organizations|consumers)$/i;
/** Scopes MSAL may add that carry no resource. */
const OIDC_SCOPES = new Set(["openid", "profile", "offline_access", "email"]);

/** Whether a path is one of the identity endpoints (as opposed to Graph or introspection). */
export function isIssuerPath(segments: readonly string[]): boolean {
  const rest = segments.slice(1).join("/").toLowerCase();
  return (
    segments.length >= 3 &&
    (rest === "v2.0/.well-known/openid-configuration" || rest === "oauth2/v2.0/token" || rest === "oauth2/v2.0/devicecode" || rest === "discovery/v2.0/keys")
  );
}

/** Tenants a user may sign in through without naming theirs (not for an app's client credentials). */
const USER_TENANTS = new Set(["organizations", "common"]);

/**
 * The OAuth 2.0 issuer (client credentials for apps; device code and refresh token for users) and its OpenID discovery
 * document, as @azure/identity (MSAL) expects them.
 */
export function handleIssuer(request: IssuerRequest, settings: IssuerSettings, tokens: TokenStore, flow: DeviceFlow): IssuerAnswer {
  const tenant = request.segments[0] ?? "";
  const endpoint = request.segments.slice(1).join("/").toLowerCase();
  if (!TENANT_FORM.test(tenant)) return { kind: "error", error: malformedTenant(tenant) };
  const own = tenant.toLowerCase() === settings.identity.tenantId.toLowerCase();
  const grantType = new URLSearchParams(request.body).get("grant_type");
  const forUsers = endpoint !== "oauth2/v2.0/token" || (grantType !== null && grantType !== "client_credentials");
  if (!own && !(forUsers && USER_TENANTS.has(tenant.toLowerCase()))) return { kind: "error", error: unknownTenant(tenant) };
  const base = `${settings.origin}/${settings.identity.tenantId}`;
  if (endpoint === "v2.0/.well-known/openid-configuration") return { kind: "ok", status: 200, body: openIdConfiguration(base, settings.origin) };
  if (endpoint === "discovery/v2.0/keys") return { kind: "ok", status: 200, body: { keys: [] } };
  if (request.method !== "POST") return { kind: "error", error: wrongMethod() };
  if (endpoint === "oauth2/v2.0/devicecode") return deviceAuthorization(request, settings, flow);
  // MSAL sends "device_code"; RFC 8628 names it in full: Entra takes both.
  if (grantType === "urn:ietf:params:oauth:grant-type:device_code" || grantType === "device_code" || grantType === "refresh_token") return userToken(request, settings, tokens, flow);
  return token(request, settings, tokens);
}

/** A public client the tenant knows: its own app (public client flows allowed) or one of `auth.publicClientIds`. */
function publicClient(form: URLSearchParams, settings: IssuerSettings): { clientId: string } | EntraError {
  const clientId = form.get("client_id");
  if (!clientId) return missingParameter("client_id");
  const known = [settings.identity.clientId, ...settings.auth.publicClientIds].some((id) => id.toLowerCase() === clientId.toLowerCase());
  return known ? { clientId } : unknownClient(clientId, settings.identity.tenantId);
}

/** The resource scopes of a request; an unknown resource is an error. */
function resourceScopes(scope: string, settings: IssuerSettings): string[] | EntraError {
  const scopes = scope.split(/\s+/).filter((item) => item !== "" && !OIDC_SCOPES.has(item.toLowerCase()));
  const accepted = [...settings.acceptedResources, settings.origin].map((value) => value.replace(/\/+$/, "").toLowerCase());
  for (const item of scopes) {
    const resource = item.slice(0, item.lastIndexOf("/")).replace(/\/+$/, "");
    if (item.lastIndexOf("/") <= 0 || !accepted.includes(resource.toLowerCase())) return unknownResource(resource || item, settings.identity.tenantId);
  }
  return scopes;
}

function deviceAuthorization(request: IssuerRequest, settings: IssuerSettings, flow: DeviceFlow): IssuerAnswer {
  const form = new URLSearchParams(request.body);
  const client = publicClient(form, settings);
  if ("error" in client) return { kind: "error", error: client };
  const scope = form.get("scope");
  if (!scope) return { kind: "error", error: missingParameter("scope") };
  const scopes = resourceScopes(scope, settings);
  if (!Array.isArray(scopes)) return { kind: "error", error: scopes };
  const body = flow.start(client.clientId, scopes, settings.auth.deviceCode, { now: settings.now, origin: settings.origin, realPerEmulated: settings.realPerEmulated });
  return { kind: "ok", status: 200, body, headers: { "cache-control": "no-store, no-cache" } };
}

/** The delegated permissions a user's token carries: those asked for (`.default`: what was consented), as granted. */
function consentedScp(scopes: readonly string[], settings: IssuerSettings): string {
  const names = new Set(scopes.map((item) => item.slice(item.lastIndexOf("/") + 1)).map((name) => (name === ".default" ? AUTOPILOT_PERMISSION : name)));
  if (!settings.auth.grants.delegatedPermission) names.delete(AUTOPILOT_PERMISSION);
  return [...names].join(" ");
}

function userToken(request: IssuerRequest, settings: IssuerSettings, tokens: TokenStore, flow: DeviceFlow): IssuerAnswer {
  const form = new URLSearchParams(request.body);
  const client = publicClient(form, settings);
  if ("error" in client) return { kind: "error", error: client };
  let grant: UserGrant | EntraError;
  if (form.get("grant_type") === "refresh_token") {
    const refreshToken = form.get("refresh_token");
    if (!refreshToken) return { kind: "error", error: missingParameter("refresh_token") };
    grant = flow.redeem(refreshToken, client.clientId) ?? badRefreshToken();
  } else {
    const deviceCode = form.get("device_code");
    if (!deviceCode) return { kind: "error", error: missingParameter("device_code") };
    grant = flow.poll(deviceCode, client.clientId, settings.auth.deviceCode, settings.now);
  }
  if ("error" in grant) return { kind: "error", error: grant };
  const { identity } = settings;
  const scp = consentedScp(grant.scopes, settings);
  const accessToken = tokens.issue({ tenantId: identity.tenantId, clientId: grant.clientId, scp, upn: grant.upn }, settings.now + settings.lifetimeSeconds * 1000, settings.now);
  const expiresIn = Math.max(1, Math.floor(settings.lifetimeSeconds * settings.realPerEmulated));
  const { idToken, clientInfo } = userIdentity(grant, { tenantId: identity.tenantId, origin: settings.origin, now: settings.now, lifetimeSeconds: settings.lifetimeSeconds });
  return {
    kind: "ok",
    status: 200,
    body: {
      token_type: "Bearer",
      scope: [...grant.scopes, "openid", "profile", "offline_access"].join(" "),
      expires_in: expiresIn,
      ext_expires_in: expiresIn,
      access_token: accessToken,
      refresh_token: flow.newRefreshToken(grant),
      id_token: idToken,
      client_info: clientInfo,
    },
    headers: { "cache-control": "no-store, no-cache", pragma: "no-cache" },
  };
}

function openIdConfiguration(base: string, origin: string): unknown {
  return {
    token_endpoint: `${base}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
    jwks_uri: `${base}/discovery/v2.0/keys`,
    response_modes_supported: ["query", "fragment", "form_post"],
    subject_types_supported: ["pairwise"],
    id_token_signing_alg_values_supported: ["RS256"],
    response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
    scopes_supported: ["openid", "profile", "email", "offline_access"],
    issuer: `${base}/v2.0`,
    request_uri_parameter_supported: false,
    userinfo_endpoint: `${origin}/oidc/userinfo`,
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    claims_supported: ["sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name", "msgraph_host", "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username", "name", "tid", "ver", "at_hash", "c_hash", "email"],
    kerberos_endpoint: `${base}/kerberos`,
    tenant_region_scope: "NA",
    cloud_instance_name: "microsoftonline.com",
    cloud_graph_host_name: "graph.windows.net",
    msgraph_host: new URL(origin).host,
    rbac_url: "https://pas.windows.net",
  };
}

/** Constant-time comparison: the emulator is a test double, but there is no reason to model a timing leak. */
function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function basicCredentials(authorization: string | undefined): { id: string; secret: string } | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(authorization ?? "");
  if (!match) return undefined;
  const decoded = Buffer.from(match[1] ?? "", "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  try {
    // RFC 6749 §2.3.1: both parts are form-urlencoded before base64.
    return { id: decodeURIComponent(decoded.slice(0, colon)), secret: decodeURIComponent(decoded.slice(colon + 1)) };
  } catch {
    return undefined;
  }
}

function token(request: IssuerRequest, settings: IssuerSettings, tokens: TokenStore): IssuerAnswer {
  const form = new URLSearchParams(request.body);
  const { identity } = settings;
  const fail = (error: EntraError): IssuerAnswer => ({ kind: "error", error });
  const grantType = form.get("grant_type");
  if (!grantType) return fail(missingParameter("grant_type"));
  if (grantType !== "client_credentials") return fail(unsupportedGrantType(grantType));
  const basic = basicCredentials(request.authorization);
  const clientId = form.get("client_id") ?? basic?.id;
  if (!clientId) return fail(missingParameter("client_id"));
  if (clientId.toLowerCase() !== identity.clientId.toLowerCase()) return fail(unknownClient(clientId, identity.tenantId));
  const secret = form.get("client_secret") ?? basic?.secret;
  if (secret === undefined || secret === null || secret === "") return fail(missingSecret());
  if (!sameSecret(secret, identity.clientSecret)) return fail(invalidSecret(identity.clientId));
  const scope = form.get("scope");
  if (!scope) return fail(missingParameter("scope"));
  const resourceScopes = scope.split(/\s+/).filter((item) => item !== "" && !OIDC_SCOPES.has(item.toLowerCase()));
  for (const item of resourceScopes) {
    if (!item.toLowerCase().endsWith("/.default")) return fail(scopeWithoutDefault(item));
    const resource = item.slice(0, -"/.default".length).replace(/\/+$/, "").toLowerCase();
    const accepted = [...settings.acceptedResources, settings.origin].map((value) => value.replace(/\/+$/, "").toLowerCase());
    if (!accepted.includes(resource)) return fail(unknownResource(item.slice(0, -"/.default".length), identity.tenantId));
  }
  if (resourceScopes.length === 0) return fail(scopeWithoutDefault(scope));
  const lifetimeMs = settings.lifetimeSeconds * 1000;
  const accessToken = tokens.issue({ tenantId: identity.tenantId, clientId: identity.clientId }, settings.now + lifetimeMs, settings.now);
  // Clients measure expiry on the real clock: report the lifetime they will actually experience.
  const expiresIn = Math.max(1, Math.floor(settings.lifetimeSeconds * settings.realPerEmulated));
  return {
    kind: "ok",
    status: 200,
    body: { token_type: "Bearer", expires_in: expiresIn, ext_expires_in: expiresIn, access_token: accessToken },
    headers: { "cache-control": "no-store, no-cache", pragma: "no-cache" },
  };
}
