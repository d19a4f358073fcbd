import { randomUUID } from "node:crypto";

/** An Entra ID (AADSTS) error as the v2.0 endpoints return it. */
export interface EntraError {
  readonly status: number;
  readonly error: string;
  readonly code: number;
  readonly description: string;
}

/** `2024-05-01 12:00:00Z`: the timestamp format of Entra error bodies. */
const entraTimestamp = (now: number): string => `${new Date(now).toISOString().slice(0, 19).replace("T", " ")}Z`;

export function entraErrorBody(error: EntraError, context: { now: number; correlationId: string; origin: string }): unknown {
  const timestamp = entraTimestamp(context.now);
  const traceId = randomUUID();
  return {
    error: error.error,
    error_description: `AADSTS${error.code}: ${error.description}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${context.correlationId}\r\nTimestamp: ${timestamp}`,
    error_codes: [error.code],
    timestamp,
    trace_id: traceId,
    correlation_id: context.correlationId,
    error_uri: `${context.origin}/error?code=${error.code}`,
  };
}

export const missingParameter = (name: string): EntraError => ({
  status: 400,
  error: "invalid_request",
  code: 900144,
  description: `The request body must contain the following parameter: '${name}'.`,
});

export const malformedTenant = (tenant: string): EntraError => ({
  status: 400,
  error: "invalid_request",
  code: 900023,
  description: `Specified tenant identifier '${tenant}' is neither a valid DNS name, nor a valid external domain.`,
});

export const unknownTenant = (tenant: string): EntraError => ({
  status: 400,
  error: "invalid_tenant",
  code: 90002,
  description: `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
});

export const unsupportedGrantType = (grantType: string): EntraError => ({
  status: 400,
  error: "unsupported_grant_type",
  code: 70003,
  description: `The app requested an unsupported grant type '${grantType}'.`,
});

export const unknownClient = (clientId: string, tenant: string): EntraError => ({
  status: 400,
  error: "unauthorized_client",
  code: 700016,
  description: `Application with identifier '${clientId}' was not found in the directory '${tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
});

export const missingSecret = (): EntraError => ({
  status: 401,
  error: "invalid_client",
  code: 7000216,
  description: "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.",
});

export const invalidSecret = (clientId: string): EntraError => ({
  status: 401,
  error: "invalid_client",
  code: 7000215,
  description: `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
});

export const scopeWithoutDefault = (scope: string): EntraError => ({
  status: 400,
  error: "invalid_scope",
  code: 1002012,
  description: `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
});

export const unknownResource = (resource: string, tenant: string): EntraError => ({
  status: 400,
  error: "invalid_resource",
  code: 500011,
  description: `The resource principal named ${resource} was not found in the tenant named ${tenant}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
});

export const wrongMethod = (): EntraError => ({
  status: 405,
  error: "invalid_request",
  code: 900561,
  description: "The endpoint only accepts POST requests. Received a GET request.",
});
