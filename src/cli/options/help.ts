/** Help text from the option tables: a section per table, and the list of variables a command reads. */
import { envNames, type Option, type OptionTable } from "./option.js";

const FLAG_COLUMN = 27;
const WIDTH = 112;

function usageOf(flag: string, option: Option<unknown>): string {
  if (option.kind === "boolean") return option.default === true ? `--no-${flag}` : `--${flag}`;
  return `--${flag}${option.arg ? ` ${option.arg}` : ""}`;
}

/** `text` in lines of at most `width` characters (a first line `firstWidth` wide); long lists break after a comma. */
function fill(text: string, firstWidth: number, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    // A JSON key list has no spaces: its pieces go on without one, and a line may end after any comma.
    const pieces = word.length > 24 ? word.split(/(?<=,)/) : [word];
    pieces.forEach((piece, i) => {
      const glue = i > 0 ? "" : " ";
      const limit = lines.length === 0 ? firstWidth : width;
      if (line && line.length + glue.length + piece.length > limit) {
        lines.push(line);
        line = piece;
      } else line = line ? `${line}${glue}${piece}` : piece;
    });
  }
  if (line) lines.push(line);
  return lines;
}

/** `title:` then a line per option (`--flag ARG  help`), the help filled to the width under its column. */
export function optionsHelp(title: string, table: OptionTable): string {
  const lines = [`${title}:`];
  const indent = " ".repeat(FLAG_COLUMN);
  for (const [flag, option] of Object.entries(table)) {
    const usage = `  ${usageOf(flag, option)}`;
    const lead = usage.length < FLAG_COLUMN - 1 ? usage.padEnd(FLAG_COLUMN) : `${usage}  `;
    // Each line of `help` is a paragraph of its own; within one, words are filled.
    const filled = option.help.split("\n").flatMap((paragraph, i) => fill(paragraph, WIDTH - (i === 0 ? lead.length : FLAG_COLUMN), WIDTH - FLAG_COLUMN));
    lines.push(`${lead}${filled[0] ?? ""}`, ...filled.slice(1).map((line) => `${indent}${line}`));
  }
  return `${lines.join("\n")}\n`;
}

/** Words wrapped to the help's width, each line indented by two. */
function wrap(words: readonly string[]): string[] {
  const lines: string[] = [];
  let line = " ";
  for (const word of words) {
    if (line.length + word.length + 1 > WIDTH) {
      lines.push(line);
      line = " ";
    }
    line += ` ${word}`;
  }
  if (line.trim()) lines.push(line);
  return lines;
}

/** Every variable the tables read (a flag wins over its variable), and those read only from the environment. */
export function environmentHelp(tables: readonly OptionTable[], environmentOnly: readonly string[]): string {
  const names = new Set<string>();
  for (const table of tables) for (const [flag, option] of Object.entries(table)) for (const name of envNames(flag, option)) names.add(name);
  const words = [...names].map((name, i, all) => `${name}${i < all.length - 1 ? "," : ";"}`);
  const only = environmentOnly.map((name, i, all) => `${name}${i < all.length - 1 ? "," : ""}`);
  if (names.size === 0 && only.length === 0) return "";
  return [
    "Environment (a flag wins over its variable):",
    ...wrap(words),
    ...(only.length > 0 ? ["  only from the environment (never a flag, so they never show in a process list):", ...wrap(only)] : []),
    "",
  ].join("\n");
}

export interface CommandHelp {
  /** The usage line and what the command does, up to its options. */
  readonly about: string;
  /** Each section's title and options. */
  readonly sections: ReadonlyArray<readonly [string, OptionTable]>;
  /** Variables only the environment sets (secrets, proxy), listed after the table's. */
  readonly environmentOnly?: readonly string[];
  /** Output, exit codes and examples. */
  readonly after: string;
}

/** A command's whole `--help`: its text around sections and an environment list made from its option tables. */
export function commandHelp(help: CommandHelp): string {
  const sections = help.sections.map(([title, table]) => optionsHelp(title, table));
  const environment = environmentHelp(
    help.sections.map(([, table]) => table),
    help.environmentOnly ?? [],
  );
  return `${help.about.trimEnd()}\n\n${sections.join("\n")}\n${environment ? `${environment}\n` : ""}${help.after.trimStart()}`;
}
