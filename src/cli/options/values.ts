/** How option texts are read: every flag and variable goes through one of these zod schemas. */
import { z } from "zod";
import { DEFAULT_WRITE_LIMIT, type WriteLimit } from "../../after/write-pacer.js";
import type { FieldCheck } from "../../model/field-check.js";
import { formatDuration, parseDuration } from "../../util/duration.js";

export const booleanText = z.union([z.boolean(), z.string()]).transform((value, ctx) => {
  if (typeof value === "boolean") return value;
  const text = value.trim().toLowerCase();
  if (["1", "true", "yes", "on"].includes(text)) return true;
  if (["", "0", "false", "no", "off"].includes(text)) return false;
  ctx.addIssue({ code: "custom", message: `expected true or false, got '${value}'` });
  return z.NEVER;
});

export const integerText = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, "expected a whole number")
    .transform(Number)
    .pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

/** A positive duration (`90s`, `30m`, `1h`, plain seconds) in ms; `allowZero` also takes 0 ("do not wait"). */
export const durationText = (allowZero = false) =>
  z.string().transform((value, ctx) => {
    const ms = parseDuration(value);
    if (ms === undefined || ms < 0 || (ms === 0 && !allowZero)) {
      ctx.addIssue({ code: "custom", message: `expected a duration such as 90s, 30m, 1h or plain seconds, got '${value}'` });
      return z.NEVER;
    }
    return ms;
  });

export const urlText = z.url({ protocol: /^https?$/, error: "expected an https:// URL" });

/** A device field for a whole file, checked as the model checks the column (src/model), so a bad value is a usage error. */
export const fieldText = (check: (raw: string) => FieldCheck<string | undefined>) =>
  z.string().transform((value, ctx) => {
    const result = check(value);
    if (!result.ok) ctx.addIssue({ code: "custom", message: `the value ${result.reason}` });
    else if (result.value === undefined) ctx.addIssue({ code: "custom", message: "expected a value, got an empty one" });
    return result.ok && result.value !== undefined ? result.value : z.NEVER;
  });

/** One of a few words. */
export const choiceText = <const T extends readonly [string, ...string[]]>(choices: T) =>
  z.enum(choices, { error: `expected ${choices.length === 2 ? `'${choices[0]}' or '${choices[1]}'` : `one of ${choices.join(", ")}`}` });

/** `N/DURATION` (e.g. `100/20s`), or plain `N` per 20 s: the writes the app may make per window. */
export function parseWriteLimit(text: string): WriteLimit | undefined {
  const match = /^\s*(\d+)\s*(?:\/\s*(\S+))?\s*$/.exec(text);
  if (!match) return undefined;
  const writes = Number(match[1]);
  const windowMs = match[2] === undefined ? DEFAULT_WRITE_LIMIT.windowMs : parseDuration(match[2]);
  if (!Number.isSafeInteger(writes) || writes < 1 || windowMs === undefined || windowMs <= 0) return undefined;
  return { writes, windowMs };
}

export const formatWriteLimit = (limit: WriteLimit): string => `${limit.writes}/${formatDuration(limit.windowMs)}`;

export const writeLimitText = z.string().transform((value, ctx) => {
  const limit = parseWriteLimit(value);
  if (!limit) {
    ctx.addIssue({ code: "custom", message: `expected writes per window such as 100/20s (or plain 100, per 20 s), got '${value}'` });
    return z.NEVER;
  }
  return limit;
});
