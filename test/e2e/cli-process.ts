/** The built CLI (dist/cli/bin.js: `npm run build` first) as a child process, signed in to an emulator by environment. */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

export const BIN = fileURLToPath(new URL("../../dist/cli/bin.js", import.meta.url));

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunningCli {
  readonly child: ChildProcess;
  /** Resolves when the process has exited and its output is read. */
  readonly result: Promise<CliResult>;
  readonly exited: () => boolean;
}

export function spawnCli(args: readonly string[], env: Record<string, string>, cwd: string): RunningCli {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { PATH: process.env.PATH ?? "", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let done = false;
  const result = new Promise<CliResult>((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      done = true;
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { child, result, exited: () => done };
}

export { emulatorEnv } from "../../src/emulator/index.js";

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
