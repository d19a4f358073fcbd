/**
 * The shared mechanics of a command's configuration: flags first, then their environment variables, validated once by
 * a zod schema into one object; every problem is named with where the bad value came from (a UsageError: exit 2).
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { z } from "zod";
import { UsageError } from "../errors.js";
import { parseDuration } from "../pipeline/duration.js";

export type Env = Readonly<Record<string, string | undefined>>;

/** Flag → environment variables consulted when the flag is absent, first match wins. */
export type EnvForFlag = Readonly<Record<string, readonly string[]>>;

export function firstEnv(env: Env, names: readonly string[]): string | undefined {
  for (const name of names) {
    const value = env[name];
    if (value !== undefined && value !== "") return value;
  }
  return undefined;
}

export const booleanText = z
  .union([z.boolean(), z.string()])
  .transform((value, ctx) => {
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

export interface FlagsAndEnv {
  /** Each flag's value from the command line, else from its environment variables (undefined when neither). */
  readonly raw: Record<string, unknown>;
  /** Only what the command line gave. */
  readonly flags: Readonly<Record<string, string | boolean | undefined>>;
  readonly positionals: string[];
}

/** Parses argv strictly (`--no-x` negates boolean `x`) and fills absent flags from the environment. */
export function readFlagsAndEnv(
  args: readonly string[],
  env: Env,
  options: NonNullable<ParseArgsConfig["options"]>,
  envForFlag: EnvForFlag,
  allowPositionals: boolean,
): FlagsAndEnv {
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], options, allowPositionals, allowNegative: true, strict: true });
  } catch (error) {
    throw new UsageError(`${(error as Error).message.replace(/\. To specify a positional argument.*$/s, "")}`);
  }
  const flags = parsed.values as Record<string, string | boolean | undefined>;
  const raw: Record<string, unknown> = {};
  for (const flag of Object.keys(envForFlag)) raw[flag] = flags[flag] ?? firstEnv(env, envForFlag[flag] ?? []);
  return { raw, flags, positionals: parsed.positionals };
}

/** Validates `raw`; throws one UsageError naming every problem as `--flag: …` or `VARIABLE: …`. */
export function validateConfig<S extends z.ZodType>(schema: S, input: FlagsAndEnv & { readonly raw: Record<string, unknown> }, env: Env, envForFlag: EnvForFlag): z.output<S> {
  const result = schema.safeParse(input.raw);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const key = String(issue.path[0] ?? "");
    const envNames = envForFlag[key];
    if (envNames === undefined) return issue.message; // not a flag, e.g. the list of files
    const source = input.flags[key] !== undefined ? `--${key}` : (envNames.find((n) => env[n]) ?? `--${key}`);
    return `${source}: ${issue.message}`;
  });
  throw new UsageError(problems.join("; "));
}
