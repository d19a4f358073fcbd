/**
 * The built CLI (`node dist/cli/bin.js …`: `npm run build` first, `npm test` does) as a child process. The child sees
 * PATH and the variables a test gives, nothing else of this process's environment: a developer's own AZURE_* or
 * AUTOPILOT_IMPORT_* variables never reach it.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import path from "node:path";

export const ROOT = path.resolve(import.meta.dirname, "..", "..");
export const BIN = path.join(ROOT, "dist", "cli", "bin.js");

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  /** The child's variables besides PATH (default: none). */
  readonly env?: Readonly<Record<string, string>>;
  /** Default: the repository root. */
  readonly cwd?: string;
  /** Written to standard input, which then ends; without it, standard input ends at once. */
  readonly stdin?: string | Buffer;
  /** Leaves standard input open for the test to write to (`child.stdin`) instead. */
  readonly keepStdinOpen?: boolean;
}

export interface RunningCli {
  readonly child: ChildProcessWithoutNullStreams;
  /** Resolves when the process has exited and its output is read. */
  readonly result: Promise<CliResult>;
  readonly exited: () => boolean;
}

/** Starts `node <args>` (a script, or BIN and a command), to signal, kill or feed while it runs. */
export function startNode(args: readonly string[], options: CliOptions = {}): RunningCli {
  const child = spawn(process.execPath, args, { cwd: options.cwd ?? ROOT, env: { PATH: process.env.PATH ?? "", ...options.env } });
  let done = false;
  child.on("close", () => (done = true));
  const result = collect(child);
  if (!options.keepStdinOpen) child.stdin.end(options.stdin ?? "");
  return { child, result, exited: () => done };
}

/** Starts `autopilot-import <args>`, to signal, kill or feed while it runs. */
export function startCli(args: readonly string[], options: CliOptions = {}): RunningCli {
  return startNode([BIN, ...args], options);
}

/** Runs `autopilot-import <args>` to its end. */
export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return startCli(args, options).result;
}

/** What a child process printed and how it ended, once it has closed (call it before the child can have exited). */
export function collect(child: ChildProcessWithoutNullStreams): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** The first line a child prints on stdout (a server's "ready" line); rejects when it closes before printing one. */
export function firstLine(child: ChildProcessWithoutNullStreams): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    const onData = (chunk: Buffer | string): void => {
      text += chunk.toString();
      const end = text.indexOf("\n");
      if (end < 0) return;
      child.stdout.off("data", onData);
      child.off("close", onClose);
      resolve(text.slice(0, end).replace(/\r$/, ""));
    };
    const onClose = (code: number | null, signal: NodeJS.Signals | null): void => reject(new Error(`exited (${code ?? signal}) before printing a line`));
    child.stdout.on("data", onData);
    child.once("close", onClose);
  });
}
