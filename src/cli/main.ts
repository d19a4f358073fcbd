import type { CliContext } from "./context.js";
import { commandLoaders } from "./commands/index.js";
import { ExitCode, exitCodeFor, exitCodeOf, failureText } from "./exit-codes.js";
import { rememberConfiguredSecrets } from "./options/graph.js";
import { scrubbedStream } from "./output/scrubbed-stream.js";
import { VERSION } from "../version.js";

async function topLevelHelp(): Promise<string> {
  const lines = [
    "autopilot-import: register Windows Autopilot devices from hardware-hash CSV files through Microsoft Graph.",
    "",
    "Usage: autopilot-import <command> [options]",
    "",
    "Commands:",
  ];
  const width = Math.max(12, ...Object.keys(commandLoaders).map((name) => name.length + 2));
  for (const [name, load] of Object.entries(commandLoaders)) {
    const command = await load();
    lines.push(`  ${name.padEnd(width)}${command.summary}`);
  }
  lines.push("", "Run `autopilot-import <command> --help` for a command's options.", "");
  return lines.join("\n");
}

/** Runs one CLI invocation and returns its exit code; never throws. */
export async function main(args: readonly string[], given: CliContext): Promise<number> {
  // Everything printed goes through here: no configured secret reaches stdout or stderr.
  const context: CliContext = { ...given, stdout: scrubbedStream(given.stdout), stderr: scrubbedStream(given.stderr) };
  const [name, ...rest] = args;
  try {
    rememberConfiguredSecrets(given.env, given.cwd);
    if (name === undefined || name === "--help" || name === "-h" || name === "help") {
      context.stdout.write(await topLevelHelp());
      return name === undefined ? ExitCode.usage : ExitCode.ok;
    }
    if (name === "--version" || name === "-v") {
      context.stdout.write(`${VERSION}\n`);
      return ExitCode.ok;
    }
    const load = commandLoaders[name];
    if (!load) {
      context.stderr.write(`autopilot-import: unknown command '${name}'. Run 'autopilot-import --help' for the list.\n`);
      return ExitCode.usage;
    }
    const command = await load();
    if (rest.includes("--help") || rest.includes("-h")) {
      context.stdout.write(command.help.endsWith("\n") ? command.help : `${command.help}\n`);
      return ExitCode.ok;
    }
    return exitCodeOf(await command.run(rest, context));
  } catch (error) {
    context.stderr.write(`autopilot-import: ${failureText(error)}\n`);
    return exitCodeFor(error);
  }
}
