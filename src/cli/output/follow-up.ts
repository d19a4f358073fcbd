/**
 * The complete command a hint prints: another command's words taken from the ones this run was given (sign-in,
 * --graph-url, --ca-cert, logs), so that pasting it reaches the same tenant through the same endpoint.
 */
import type { OptionTable } from "../options/option.js";
import type { ParseOptions } from "../options/parse.js";
import { commandLine } from "./shell-words.js";

/**
 * The flags (with their values) of `args` that `target` also has, in their order; `source` says which of the others
 * take a value (skipped with it). `--flag=value`, `--no-flag` and a parser's `prepare` step are understood.
 */
export function carriedArgs(args: readonly string[], source: OptionTable, target: OptionTable, options: Pick<ParseOptions, "prepare"> & { readonly drop?: readonly string[] } = {}): string[] {
  const words = options.prepare ? options.prepare(args) : [...args];
  const drop = new Set(options.drop ?? []);
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (word === "--") break;
    if (!word.startsWith("--")) continue;
    const inline = word.indexOf("=");
    const name = word.slice(2, inline < 0 ? undefined : inline);
    const base = name.startsWith("no-") && source[name] === undefined ? name.slice(3) : name;
    const takesValue = inline < 0 && base === name && source[name]?.kind === "string";
    const keep = target[base] !== undefined && !drop.has(base);
    if (keep) out.push(inline >= 0 && inline === word.length - 1 ? word.slice(0, -1) : word);
    if (takesValue) {
      if (keep && words[i + 1] !== undefined) out.push(words[i + 1]!);
      i += 1;
    }
  }
  return out;
}

/** `autopilot-import <command> <words>`, quoted for a POSIX shell. */
export function commandText(words: readonly string[]): string {
  return `autopilot-import ${commandLine(words)}`;
}
