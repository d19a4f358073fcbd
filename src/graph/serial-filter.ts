/**
 * `contains(serialNumber,'…')`, the only serial lookup the Autopilot collections take, and its fallback: it has
 * answered 400 for a serial with a hyphen on the real service, so such a serial is then looked up by its longest
 * hyphen-free part (matches are always compared exactly on our side), or by listing when that part is too short.
 */
import { ServiceError } from "../errors.js";
import type { ServiceTraits } from "./service-traits.js";

/** A shorter part would match too much of a large tenant: listing is then cheaper and as exact. */
const MIN_PART_LENGTH = 4;

/** An OData string literal: single quotes doubled. */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** How to look a serial up: a `$filter` value, or undefined when only a listing will do. */
export function serialContainsFilter(serial: string, traits: ServiceTraits): string | undefined {
  const trimmed = serial.trim();
  if (!trimmed.includes("-") || traits.works("hyphenContainsWorks")) return `contains(serialNumber,${odataString(trimmed)})`;
  const part = trimmed.split("-").reduce((longest, piece) => (piece.length > longest.length ? piece : longest), "");
  return part.length >= MIN_PART_LENGTH ? `contains(serialNumber,${odataString(part)})` : undefined;
}

/**
 * Whether `error` is the service refusing a hyphenated `contains` (learned, once, so later lookups use the fallback;
 * lookups sent before it was learned are refused too). The caller then asks `serialContainsFilter` again, once.
 */
export function learnHyphenRefusal(error: unknown, serial: string, traits: ServiceTraits): boolean {
  if (!(error instanceof ServiceError) || error.status !== 400 || !serial.includes("-")) return false;
  traits.learn("hyphenContainsWorks", false);
  return true;
}
