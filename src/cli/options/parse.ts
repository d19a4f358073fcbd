/**
 * Reads a command's options from its table: the command line first (strict: an unknown flag is an error; `--no-x`
 * turns `x` off), then each absent flag's variables; every value validated by its option's schema, and every problem
 * named by where the bad value came from, in one UsageError (exit 2).
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "../../errors.js";
import { nearestWord } from "../../util/edit-distance.js";
import { envNames, type OptionTable, type OptionValues } from "./option.js";

export type Env = Readonly<Record<string, string | undefined>>;

export function firstEnv(env: Env, names: readonly string[]): string | undefined {
  for (const name of names) {
    const value = env[name];
    if (value !== undefined && value !== "") return value;
  }
  return undefined;
}

export interface ParsedOptions<T extends OptionTable> {
  readonly values: OptionValues<T>;
  readonly positionals: readonly string[];
  /** Flags given on the command line (not from the environment or a default). */
  readonly given: ReadonlySet<string>;
}

export interface ParseOptions {
  /** The command, named in a malformed command line's message with where its help is. */
  readonly command?: string;
  readonly positionals?: boolean;
  /** Rewrites the arguments before parsing (e.g. an optional value after a flag). */
  readonly prepare?: (args: readonly string[]) => string[];
  /** Adjusts a raw text before validation (e.g. a bare flag standing for a value). */
  readonly normalize?: (flag: string, raw: string | boolean) => string | boolean | undefined;
}

export function parseOptions<T extends OptionTable>(table: T, args: readonly string[], env: Env, options: ParseOptions = {}): ParsedOptions<T> {
  const config: NonNullable<ParseArgsConfig["options"]> = {};
  for (const [flag, option] of Object.entries(table)) config[flag] = option.multiple ? { type: "string", multiple: true } : { type: option.kind };
  let parsed;
  try {
    parsed = parseArgs({ args: options.prepare ? options.prepare(args) : [...args], options: config, allowPositionals: options.positionals ?? false, allowNegative: true, strict: true });
  } catch (error) {
    throw new UsageError(commandLineProblem(error, table, options.command));
  }
  const flags = parsed.values as Record<string, string | boolean | string[] | undefined>;
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [flag, option] of Object.entries(table)) {
    const names = envNames(flag, option);
    const fromFlag = flags[flag];
    const source = fromFlag !== undefined ? `--${flag}` : names.find((name) => firstEnv(env, [name]) !== undefined);
    const fromEnv = fromFlag === undefined ? firstEnv(env, names) : undefined;
    if (option.multiple) {
      const list = fromFlag ?? fromEnv?.split(/\r?\n/).filter((line) => line.trim() !== "");
      if (list === undefined) {
        values[flag] = option.default;
        continue;
      }
      const result = option.schema.safeParse(list);
      if (result.success) values[flag] = result.data;
      else problems.push(`${source ?? `--${flag}`}: ${result.error.issues.map((issue) => issue.message).join("; ")}`);
      continue;
    }
    let raw: string | boolean | undefined = (fromFlag as string | boolean | undefined) ?? fromEnv;
    if (raw !== undefined && options.normalize) raw = options.normalize(flag, raw);
    if (raw === undefined) {
      values[flag] = option.default;
      continue;
    }
    const result = option.schema.safeParse(raw);
    if (result.success) values[flag] = result.data;
    else problems.push(`${source ?? `--${flag}`}: ${result.error.issues.map((issue) => issue.message).join("; ")}`);
  }
  if (problems.length > 0) throw new UsageError(problems.join("; "));
  return { values: values as OptionValues<T>, positionals: parsed.positionals, given: new Set(Object.keys(flags).filter((flag) => flags[flag] !== undefined)) };
}

/** parseArgs' complaint in our words: which flag, and what is wrong with it. */
function commandLineProblem(error: unknown, table: OptionTable, command: string | undefined): string {
  const message = error instanceof Error ? error.message : String(error);
  const flag = /'(-[^' ]+)/.exec(message)?.[1] ?? "?";
  const name = flag.replace(/^--?/, "").replace(/=.*$/, "");
  let problem: string;
  switch ((error as { code?: string }).code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION": {
      const near = nearMiss(name, table);
      problem = `unknown option '${flag}'${near ? `: did you mean --${near}?` : ""}`;
      break;
    }
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
      problem = `unexpected argument '${/'([^']*)'/.exec(message)?.[1] ?? "?"}': this command takes options only`;
      break;
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      problem = table[name]?.kind === "boolean" ? `--${name} does not take a value` : `--${name} needs a value${table[name]?.arg ? ` (${table[name].arg})` : ""}`;
      break;
    default:
      problem = message.replace(/\. To specify a positional argument.*$/s, "");
  }
  return command ? `${command}: ${problem} (see 'autopilot-import ${command} --help')` : problem;
}

/** The flag a mistyped one most likely meant: any of the table's, or `no-` and a switch's name. */
function nearMiss(name: string, table: OptionTable): string | undefined {
  if (name.length < 2) return undefined;
  const flags = Object.entries(table).flatMap(([flag, option]) => (option.kind === "boolean" ? [flag, `no-${flag}`] : [flag]));
  return nearestWord(name, flags);
}
