/**
 * The option registry: each flag is declared once, with its type, environment variables, validation, default and
 * help; the command line parser's table, the environment lookup, the validated values and the help text are all
 * derived from these declarations (parse.ts, help.ts). Adding a flag is one entry in one table.
 */
import type { z } from "zod";
import { booleanText } from "./values.js";

export const ENV_PREFIX = "AUTOPILOT_IMPORT_";

export interface Option<T> {
  readonly kind: "boolean" | "string";
  /** Variables read when the flag is absent, first match wins; by default AUTOPILOT_IMPORT_<FLAG>. */
  readonly env?: readonly string[];
  /** Validates the flag's or variable's text (a boolean flag's `true`/`false` too) into the value. */
  readonly schema: z.ZodType<T, unknown>;
  /** When neither flag nor variable is given; absent: the value is undefined. */
  readonly default?: T;
  /** The placeholder after the flag in the help (`N`, `DURATION`); `[ID]` for an optional value. */
  readonly arg?: string;
  /** The help text; lines after the first are indented under it. */
  readonly help: string;
  /** A value flag given any number of times: the schema gets every value, in order (its variable: one per line). */
  readonly multiple?: boolean;
}

/** A command's options, keyed by flag name (kebab-case, without the dashes). */
export type OptionTable = Readonly<Record<string, Option<unknown>>>;

/** The validated values of a table: an option with a default always has one. */
export type OptionValues<T extends OptionTable> = {
  readonly [K in keyof T]: T[K] extends Option<infer V> ? (T[K] extends { readonly default: unknown } ? V : V | undefined) : never;
};

/** The variables an option is read from. */
export function envNames(flag: string, option: Option<unknown>): readonly string[] {
  return option.env ?? [`${ENV_PREFIX}${flag.toUpperCase().replace(/-/g, "_")}`];
}

/** Flag → its variables, for a table: what a container's environment can set. */
export function envTable<T extends OptionTable>(table: T): { readonly [K in keyof T]: readonly string[] } {
  return Object.fromEntries(Object.entries(table).map(([flag, option]) => [flag, envNames(flag, option)])) as { readonly [K in keyof T]: readonly string[] };
}

/** A flag that takes a value. */
export function valueOption<T>(spec: Omit<Option<T>, "kind"> & { readonly default: T }): Option<T> & { readonly default: T };
export function valueOption<T>(spec: Omit<Option<T>, "kind">): Option<T>;
export function valueOption<T>(spec: Omit<Option<T>, "kind">): Option<T> {
  return { kind: "string", ...spec };
}

/** An on/off flag (`--x`, `--no-x`; its variable takes true/false, yes/no, 1/0, on/off); the help shows `--no-x` when it is on by default. */
export function switchOption(spec: Omit<Option<boolean>, "kind" | "schema" | "default"> & { readonly default: boolean }): Option<boolean> & { readonly default: boolean } {
  return { kind: "boolean", schema: booleanText, ...spec };
}
