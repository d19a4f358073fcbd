/**
 * JSON values of OData primitive types as Graph writes and reads them (OData JSON Format 4.01 §7.1 with Graph's
 * readings): a failed check is a sentence naming what is wrong; undefined means the value conforms.
 */

// Graph's OData reader takes Edm.Binary with Convert.FromBase64String: standard alphabet, padding mandatory.
const PADDED_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
// OData ABNF dateTimeOffsetValue: year "-" month "-" day "T" hour ":" minute [":" second ["." fractionalSeconds]] ("Z" / sign hour ":" minute).
const DATE_TIME_OFFSET = /^(-?\d{4,})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,12}))?)?(?:Z|[+-](\d{2}):(\d{2}))$/;
const GUID = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/;

const INTEGER_RANGES: Readonly<Record<string, readonly [number, number]>> = {
  "Edm.Byte": [0, 255],
  "Edm.SByte": [-128, 127],
  "Edm.Int16": [-32_768, 32_767],
  "Edm.Int32": [-2_147_483_648, 2_147_483_647],
  "Edm.Int64": [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

const shown = (value: unknown): string => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
};

const isLeap = (year: number): boolean => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
const daysIn = (year: number, month: number): number => (month === 2 ? (isLeap(year) ? 29 : 28) : [31, 0, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!);

function dateTimeOffsetProblem(value: string): string | undefined {
  const parts = DATE_TIME_OFFSET.exec(value);
  if (!parts) return "is not an ISO 8601 date-time with a time zone (yyyy-mm-ddThh:mm[:ss[.fff]](Z|±hh:mm))";
  const [year, month, day, hour, minute, second, , offsetHour, offsetMinute] = parts.slice(1).map((part) => (part === undefined ? 0 : Number(part)));
  const valid =
    month! >= 1 && month! <= 12 && day! >= 1 && day! <= daysIn(year!, month!) && hour! <= 23 && minute! <= 59 && second! <= 59 && offsetHour! <= 23 && offsetMinute! <= 59;
  return valid ? undefined : "is shaped like a date-time but names no real instant";
}

/** Why `value` is not a JSON value of the primitive type `type` (undefined: it is); throws for a type it cannot check. */
export function primitiveProblem(type: string, value: unknown): string | undefined {
  const range = INTEGER_RANGES[type];
  if (range) {
    if (typeof value !== "number" || !Number.isInteger(value)) return `${shown(value)} is not an integral JSON number`;
    return value < range[0] || value > range[1] ? `${value} is outside ${type}'s range ${range[0]}..${range[1]}` : undefined;
  }
  switch (type) {
    case "Edm.String":
      return typeof value === "string" ? undefined : `${shown(value)} is not a JSON string`;
    case "Edm.Boolean":
      return typeof value === "boolean" ? undefined : `${shown(value)} is not true or false`;
    case "Edm.Binary":
      if (typeof value !== "string") return `${shown(value)} is not a JSON string`;
      return PADDED_BASE64.test(value) ? undefined : `${shown(value)} is not padded standard base64`;
    case "Edm.DateTimeOffset": {
      if (typeof value !== "string") return `${shown(value)} is not a JSON string`;
      const problem = dateTimeOffsetProblem(value);
      return problem && `${shown(value)} ${problem}`;
    }
    case "Edm.Guid":
      if (typeof value !== "string") return `${shown(value)} is not a JSON string`;
      return GUID.test(value) ? undefined : `${shown(value)} is not a GUID`;
    default:
      throw new Error(`no check for the primitive type ${type}: add one before relying on it`);
  }
}
