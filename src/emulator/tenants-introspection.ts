import type { IncomingMessage, ServerResponse } from "node:http";
import type { EmulatorCore } from "./core.js";
import { send } from "./http.js";
import { introspect } from "./introspection.js";
import { tenantById } from "./tenants.js";

interface IntrospectionExchange {
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
  readonly segments: readonly string[];
  readonly baseHeaders: Record<string, string>;
}

/** `/_emulator/tenants/{id}/…` reaches another tenant's introspection (stats, reset, …); the rest is the first tenant's. */
export function introspectTenant(core: EmulatorCore, exchange: IntrospectionExchange): Promise<void> {
  const [, section, tenantId, ...rest] = exchange.segments;
  if (section !== "tenants" || tenantId === undefined) return introspect(core, exchange);
  const tenant = tenantById(core.tenants(), tenantId);
  if (!tenant) {
    exchange.request.resume();
    send(exchange.response, 404, exchange.baseHeaders, { error: { code: "NotFound", message: `no tenant '${tenantId}' in this emulator` } }, "application/json; charset=utf-8");
    return Promise.resolve();
  }
  return introspect(tenant, { ...exchange, segments: ["_emulator", ...rest] });
}

