import type { IncomingMessage, ServerResponse } from "node:http";
import type { EmulatorCore } from "./core.js";
import { isRecord } from "./edm.js";
import { readBody, send } from "./http.js";
import { ScenarioError } from "./scenario.js";
import { iso } from "./representation.js";

const CONTENT_TYPE = "application/json; charset=utf-8";

interface IntrospectionExchange {
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
  readonly segments: readonly string[];
  readonly baseHeaders: Record<string, string>;
}

/**
 * Emulator-only routes, without authentication, throttling or faults:
 * GET stats, POST reset, GET/PATCH scenario, GET clock, POST clock {"advanceMs"},
 * POST device-code/approve {"userCode"?} (the emulated user approves a device-code sign-in), GET tenants;
 * `/_emulator/tenants/{tenantId}/…` reaches the same routes of another tenant (server.ts).
 */
export async function introspect(core: EmulatorCore, exchange: IntrospectionExchange): Promise<void> {
  const { request, response, baseHeaders } = exchange;
  const method = (request.method ?? "GET").toUpperCase();
  const route = `${method} ${exchange.segments.slice(1).join("/")}`;
  const reply = (status: number, body?: unknown): void => send(response, status, baseHeaders, body, CONTENT_TYPE);
  const fail = (status: number, message: string): void => reply(status, { error: { code: status === 404 ? "NotFound" : "BadRequest", message } });
  const readJson = async (): Promise<unknown> => {
    const read = await readBody(request, 1024 * 1024);
    if (!read.ok) throw new ScenarioError("request body too large or aborted");
    if (read.body.length === 0) return {};
    try {
      return JSON.parse(read.body.toString("utf8"));
    } catch {
      throw new ScenarioError("request body is not valid JSON");
    }
  };
  try {
    switch (route) {
      case "GET stats":
        return reply(200, core.snapshot());
      case "POST reset":
        request.resume();
        core.reset();
        return reply(204);
      case "GET scenario":
        return reply(200, core.scenario());
      case "GET directory":
        return reply(200, core.directory.snapshot());
      case "PATCH scenario":
        return reply(200, core.setScenario(await readJson()));
      case "POST device-code/approve": {
        // The emulated user enters the code: one ({"userCode"}) or every pending one.
        const body = await readJson();
        const userCode = isRecord(body) ? body["userCode"] : undefined;
        if (userCode !== undefined && typeof userCode !== "string") return fail(400, "'userCode' must be a string");
        return reply(200, { approved: core.deviceFlow.approve(userCode) });
      }
      case "GET tenants":
        // Ids only: the apps' secrets stay with whoever started the emulator.
        return reply(200, core.tenants().map((tenant) => ({ tenantId: tenant.identity.tenantId, clientId: tenant.identity.clientId })));
      case "GET clock":
        return reply(200, { now: iso(core.clock.now()), speed: core.clock.speed });
      case "POST clock": {
        const body = await readJson();
        const advanceMs = isRecord(body) ? body["advanceMs"] : undefined;
        if (typeof advanceMs !== "number" || !Number.isFinite(advanceMs) || advanceMs < 0) return fail(400, "'advanceMs' must be a non-negative number");
        core.clock.advance(advanceMs);
        return reply(200, { now: iso(core.clock.now()), speed: core.clock.speed });
      }
      default:
        request.resume();
        return fail(404, `unknown emulator route '${method} /${exchange.segments.join("/")}'`);
    }
  } catch (error) {
    if (error instanceof ScenarioError) return fail(400, error.message);
    throw error;
  }
}
