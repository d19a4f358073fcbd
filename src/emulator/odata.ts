import { GraphError, badRequest } from "./graph-error.js";

/** The `$filter` forms the emulator understands (the ones this tool and Microsoft's scripts use). */
export type Filter =
  | { readonly kind: "contains"; readonly property: string; readonly value: string }
  | { readonly kind: "eq"; readonly property: string; readonly value: string };

const LITERAL = "'((?:[^']|'')*)'";
const CONTAINS = new RegExp(`^contains\\(\\s*([A-Za-z]+)\\s*,\\s*${LITERAL}\\s*\\)$`, "i");
const EQ = new RegExp(`^([A-Za-z]+)\\s+eq\\s+${LITERAL}$`, "i");

/** Parses a `$filter`; anything else is Graph's 400 for an unsupported clause. */
export function parseFilter(text: string): Filter {
  const trimmed = text.trim();
  const contains = CONTAINS.exec(trimmed);
  if (contains) return { kind: "contains", property: contains[1] ?? "", value: (contains[2] ?? "").replaceAll("''", "'") };
  const eq = EQ.exec(trimmed);
  if (eq) return { kind: "eq", property: eq[1] ?? "", value: (eq[2] ?? "").replaceAll("''", "'") };
  throw badRequest(`Invalid filter clause: the query specified in the URI is not supported: '${text}'.`);
}

export interface ListQuery {
  readonly top: number | undefined;
  readonly filter: Filter | undefined;
  /** Sequence number after which the page starts. */
  readonly after: number;
  /** Which page of the listing this request reads, from 1 (carried in the skip token). */
  readonly page: number;
}

/** Reads `$top`, `$filter` and `$skiptoken`; other system query options (`$select`, `$count`…) are ignored. */
export function parseListQuery(query: URLSearchParams): ListQuery {
  const topText = query.get("$top");
  let top: number | undefined;
  if (topText !== null) {
    if (!/^\d+$/.test(topText)) throw badRequest(`Invalid value '${topText}' for $top query option found. The $top query option requires a non-negative integer value.`);
    top = Number(topText);
  }
  const filterText = query.get("$filter");
  const skipToken = query.get("$skiptoken");
  const position = skipToken === null ? { after: 0, page: 1 } : decodeSkipToken(skipToken);
  return { top, filter: filterText === null ? undefined : parseFilter(filterText), ...position };
}

/** `$select`: the properties to return, or undefined for all. A property the entity lacks is Graph's 400. */
export function parseSelect(query: URLSearchParams, entityType: string, properties: ReadonlySet<string>): readonly string[] | undefined {
  const text = query.get("$select");
  if (text === null || text.trim() === "") return undefined;
  const names = text.split(",").map((name) => name.trim()).filter(Boolean);
  for (const name of names) {
    if (!properties.has(name)) throw badRequest(`Could not find a property named '${name}' on type 'microsoft.graph.${entityType}'.`);
  }
  return names;
}

/** The entity with only the selected properties (and its @odata.type), as Graph answers a `$select`. */
export function applySelect<T extends object>(entity: T, select: readonly string[] | undefined): Partial<T> {
  if (!select) return entity;
  const source = entity as Record<string, unknown>;
  const picked: Record<string, unknown> = {};
  if ("@odata.type" in source) picked["@odata.type"] = source["@odata.type"];
  for (const name of select) if (name in source) picked[name] = source[name];
  return picked as Partial<T>;
}

/** Opaque to clients: the last sequence number read and the number of the page the token leads to. */
export function encodeSkipToken(seq: number, page: number): string {
  return Buffer.from(`s:${seq}:${page}`).toString("base64url");
}

function decodeSkipToken(token: string): { after: number; page: number } {
  const match = /^s:(\d+):(\d+)$/.exec(Buffer.from(token, "base64url").toString("utf8"));
  if (!match) throw new GraphError(400, "BadRequest", "The specified skip token is not valid.");
  return { after: Number(match[1]), page: Number(match[2]) };
}

/** Absolute `@odata.nextLink`: the same request with the skip token of page `page`, as Graph does. */
export function nextLink(requestUrl: URL, lastSeq: number, page: number): string {
  // Keep the client's own query text (and a literal "$"), replacing only the skip token.
  const kept = requestUrl.search
    .slice(1)
    .split("&")
    .filter((part) => part !== "" && !/^(?:\$|%24)skiptoken=/i.test(part));
  kept.push(`$skiptoken=${encodeSkipToken(lastSeq, page)}`);
  return `${requestUrl.origin}${requestUrl.pathname}?${kept.join("&")}`;
}
