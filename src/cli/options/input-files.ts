/**
 * The one check of a command's inputs against its outputs, before anything is read or sent: each input is a regular
 * file this user can read (a FIFO or a device would block, an unreadable file is the user's environment), and no
 * output (report, log file, state directory) is an input, by device and inode, through any link.
 */
import { closeSync, openSync, realpathSync, statSync, type Stats } from "node:fs";
import path from "node:path";
import { EnvironmentError, UsageError } from "../../errors.js";
import { identityOf, sameFile, type FileIdentity } from "../../util/file-identity.js";

export interface CommandOutput {
  /** How the message names it: "the report", "the log file". */
  readonly label: string;
  readonly path: string;
  /** As the user gave it (default: the path). */
  readonly name?: string;
}

export interface InputCheckOptions {
  /** Missing or unreadable inputs are refused too (import); validate reports them per file instead. */
  readonly mustRead: boolean;
  readonly outputs: readonly CommandOutput[];
  /** The state directory: no input may live in it (its journals and locks are rewritten). */
  readonly stateDir?: string;
}

interface CheckedInput {
  readonly name: string;
  readonly full: string;
  readonly identity: FileIdentity;
}

function reason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code === "ENOENT" ? "no such file" : code === "EACCES" || code === "EPERM" ? "permission denied" : (code ?? String(error));
}

/** Stat (links followed) and, for import, an open for reading: a regular file only, so the open cannot block. */
function checkInput(name: string, full: string, mustRead: boolean): CheckedInput | undefined {
  let info: Stats;
  try {
    info = statSync(full);
  } catch (error) {
    if (!mustRead) return undefined; // validate tells a missing file in its summary
    throw new UsageError(`cannot read ${name}: ${reason(error)}`);
  }
  if (!info.isFile()) throw new UsageError(`${name} is not a file (${info.isDirectory() ? "a directory" : "a pipe, socket or device"}): give a regular file, or - for standard input`);
  if (mustRead) {
    try {
      closeSync(openSync(full, "r"));
    } catch (error) {
      throw new EnvironmentError(`cannot read ${name}: ${reason(error)}`, { cause: error });
    }
  }
  return { name, full, identity: { dev: info.dev, ino: info.ino } };
}

function realPath(full: string): string {
  try {
    return realpathSync(full);
  } catch {
    return full;
  }
}

/** Throws one clear line when an input cannot be used or an output would overwrite one; nothing has been read yet. */
export function checkInputFiles(files: readonly string[], cwd: string, options: InputCheckOptions): void {
  const inputs = files.filter((file) => file !== "-").flatMap((file) => checkInput(file, path.resolve(cwd, file), options.mustRead) ?? []);
  for (const output of options.outputs) {
    const identity = identityOf(output.path);
    const input = identity && inputs.find((candidate) => sameFile(candidate.identity, identity));
    if (input) throw new UsageError(`${output.label} ${output.name ?? output.path} is the input ${input.name}${input.full === output.path ? "" : " (the same file through a link)"}: it would be overwritten; choose another path`);
  }
  if (options.stateDir !== undefined) {
    const stateDir = realPath(options.stateDir);
    const inside = inputs.find((input) => realPath(input.full).startsWith(`${stateDir}${path.sep}`));
    if (inside) throw new UsageError(`the input ${inside.name} is inside the state directory ${options.stateDir}, whose files are rewritten: move it out, or choose another --state-dir`);
  }
}
