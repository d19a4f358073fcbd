import { badRequest, type GraphError } from "./graph-error.js";

// Standard alphabet, groups of four, padding mandatory: what OData's Edm.Binary reader accepts.
const PADDED_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Longest literal quoted back in the error message; real hashes are ~4,000 characters. */
const LITERAL_LIMIT = 200;

export function isPaddedBase64(value: string): boolean {
  return value.length % 4 === 0 && PADDED_BASE64.test(value);
}

/** The 400 the real service answers for a bad Edm.Binary literal, quoting it (truncated when long). */
export function edmBinaryError(value: string): GraphError {
  const literal = value.length > LITERAL_LIMIT ? `${value.slice(0, LITERAL_LIMIT)}...` : value;
  return badRequest(`Cannot convert the literal '${literal}' to the expected type 'Edm.Binary'.`);
}

/** A property of the wrong JSON type, worded like the OData reader. */
export function edmTypeError(property: string, expected: "Edm.String" | "Edm.Int32" | "Edm.Binary" | "Edm.DateTimeOffset"): GraphError {
  return badRequest(`Cannot convert a primitive value to the expected type '${expected}' for property '${property}'.`);
}

/** OData rejects properties its (closed) types do not declare. */
export function unknownPropertyError(property: string, type: string): GraphError {
  return badRequest(
    `The property '${property}' does not exist on type 'microsoft.graph.${type}'. Make sure to only use property names that are defined by the type.`,
  );
}

/** Reads an optional Edm.String property (absent and null both give null). */
export function optionalString(body: Record<string, unknown>, property: string): string | null {
  const value = body[property];
  if (value === undefined || value === null) return null;
  if (typeof value !== "string") throw edmTypeError(property, "Edm.String");
  return value;
}

/**
 * Rejects undeclared properties; `@odata.*` annotations are always allowed. `acceptUnknown`
 * (scenario `service.acceptUnknownProperties`) lets them through, to be ignored, as a lenient service would.
 */
export function checkProperties(body: Record<string, unknown>, allowed: ReadonlySet<string>, type: string, acceptUnknown: boolean): void {
  if (acceptUnknown) return;
  for (const key of Object.keys(body)) {
    if (!allowed.has(key) && !key.startsWith("@odata.")) throw unknownPropertyError(key, type);
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
