/**
 * Several tenants in one emulator: the scenario's `tenant` is the first, `tenants` the others. Each is an EmulatorCore
 * of its own (app, data, throttling, counters, tokens) on the first one's clock; requests are routed here, to the
 * tenant a token endpoint names or the tenant whose token a Graph call carries.
 */
import type { Scenario } from "./scenario.js";

/** The little of a tenant routing needs (EmulatorCore has it; kept structural so core.ts can import this file). */
export interface RoutableTenant {
  readonly identity: { readonly tenantId: string };
  readonly tokens: { check(authorization: string | undefined, now: number): { readonly valid: boolean; readonly reason?: string } };
}

/** The scenario an extra tenant runs: every section the first tenant's, its own `tenant` section, no further tenants. */
export function tenantScenario(scenario: Scenario, index: number): Scenario {
  const section = scenario.tenants[index];
  if (section === undefined) throw new RangeError(`no tenant ${index} in the scenario`);
  return { ...scenario, tenant: section, tenants: [] };
}

/** The tenant with this id (case-insensitive), if the emulator holds it. */
export function tenantById<T extends RoutableTenant>(tenants: readonly T[], tenantId: string): T | undefined {
  const wanted = tenantId.toLowerCase();
  return tenants.find((tenant) => tenant.identity.tenantId.toLowerCase() === wanted);
}

/** Where a token-endpoint request goes: the tenant in its path, else the first (which answers common/organizations and unknown tenants). */
export function tenantForIssuer<T extends RoutableTenant>(tenants: readonly [T, ...T[]], tenantSegment: string | undefined): T {
  return (tenantSegment === undefined ? undefined : tenantById(tenants, tenantSegment)) ?? tenants[0];
}

/** Where a Graph call goes: the tenant that issued its token (expired included), else the first, which answers 401. */
export function tenantForToken<T extends RoutableTenant>(tenants: readonly [T, ...T[]], authorization: string | undefined, now: number): T {
  if (tenants.length === 1) return tenants[0];
  const issuer = tenants.find((tenant) => {
    const check = tenant.tokens.check(authorization, now);
    return check.valid || check.reason === "expired";
  });
  return issuer ?? tenants[0];
}
