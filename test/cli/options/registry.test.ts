/**
 * Every command's options come from its table: each flag is documented in its help (`--no-x` for a switch that is on
 * by default), each variable it reads is listed there, and the command line accepts exactly the table's flags.
 */
import { describe, expect, it } from "vitest";
import { commandLoaders } from "../../../src/cli/commands/index.js";
import { envNames } from "../../../src/cli/options/option.js";
import { parseOptions } from "../../../src/cli/options/parse.js";

const commands = await Promise.all(Object.values(commandLoaders).map((load) => load()));

describe.each(commands.map((command) => [command.name, command] as const))("%s: options from one table", (_name, command) => {
  it("documents each flag and each variable in --help", () => {
    const environment = command.help.includes("Environment (") ? command.help.slice(command.help.indexOf("Environment (")) : "";
    for (const [flag, option] of Object.entries(command.options)) {
      const usage = option.kind === "boolean" && option.default === true ? `--no-${flag}` : `--${flag}`;
      expect(command.help, `${command.name} --help lists ${usage}`).toMatch(new RegExp(`^ {2}${usage}(?![a-z-])`, "m"));
      for (const name of envNames(flag, option)) expect(environment, `${command.name} --help lists ${name}`).toContain(name);
    }
  });

  it("documents no flag it does not take", () => {
    const documented = [...command.help.matchAll(/^ {2}--(?:no-)?([a-z][a-z-]*)/gm)].map((match) => match[1]!);
    for (const flag of documented) expect(Object.keys(command.options), `${command.name} --help documents --${flag}`).toContain(flag);
  });

  it("takes every flag of its table on the command line (and only those)", () => {
    for (const [flag, option] of Object.entries(command.options)) {
      const args = option.kind === "boolean" ? [`--${flag}`] : [`--${flag}=x`];
      // Only the command line's shape is checked here: the value may be refused by the option's schema.
      try {
        parseOptions(command.options, args, {}, { positionals: true });
      } catch (error) {
        expect((error as Error).message, `${command.name} --${flag}`).not.toMatch(/unknown option/);
      }
    }
  });
});
