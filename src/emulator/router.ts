import { methodNotAllowed, unknownSegment } from "./graph-error.js";
import type { GraphVersion, Handler, Params, Route } from "./graph-call.js";
import type { Scenario } from "./scenario.js";

const KEY_SYNTAX = /^([^(]+)\('?([^')]*)'?\)$/;
const NAMESPACE = "microsoft.graph.";

/** Splits a path into decoded segments, turning OData key syntax `items('id')` into `items`, `id`. */
export function pathSegments(pathname: string): string[] {
  const out: string[] = [];
  for (const raw of pathname.split("/")) {
    if (raw === "") continue;
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      segment = raw;
    }
    const key = KEY_SYNTAX.exec(segment);
    if (key) out.push(key[1] ?? "", key[2] ?? "");
    else out.push(segment.toLowerCase().startsWith(NAMESPACE) ? segment.slice(NAMESPACE.length) : segment);
  }
  return out;
}

export interface RouteMatch {
  readonly handler: Handler;
  readonly params: Params;
  /** "METHOD /version/template" for stats. */
  readonly key: string;
}

/** Finds the handler for a call, or throws the GraphError the real service answers (400 unknown segment, 405). */
export function matchRoute(
  routes: readonly Route[],
  method: string,
  version: GraphVersion,
  segments: readonly string[],
  scenario: Scenario,
): RouteMatch {
  const available = routes.filter(
    (route) => (!route.betaOnly || version === "beta") && (!route.uploads || scenario.tenant.uploadsEnabled),
  );
  let candidates = available;
  for (let depth = 0; depth < segments.length; depth += 1) {
    const segment = segments[depth] ?? "";
    const lower = segment.toLowerCase();
    const literal = candidates.filter((route) => route.pattern[depth]?.toLowerCase() === lower);
    const next = literal.length > 0 ? literal : candidates.filter((route) => route.pattern[depth]?.startsWith("{"));
    if (next.length === 0) throw unknownSegment(segment);
    candidates = next;
  }
  const route = candidates.find((candidate) => candidate.pattern.length === segments.length);
  if (!route) throw unknownSegment(segments.at(-1) ?? version);
  const handler = route.methods[method as keyof Route["methods"]];
  if (!handler) throw methodNotAllowed();
  const params: Record<string, string> = {};
  route.pattern.forEach((part, index) => {
    if (part.startsWith("{")) params[part.slice(1, -1)] = segments[index] ?? "";
  });
  return { handler, params, key: `${method} /${version}/${route.pattern.join("/")}` };
}
