/** The CLI's `main` run in this process, as bin.ts runs it, with its output captured: quicker than a child process. */
import { PassThrough, Writable } from "node:stream";
import { main } from "../../src/cli/main.js";

export interface InProcessRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function sink(append: (text: string) => void): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      append(chunk.toString());
      done();
    },
  });
}

/** Runs `autopilot-import <args>` with exactly `env` as its environment and an empty standard input. */
export async function runInProcess(args: readonly string[], env: Record<string, string>, signal = new AbortController().signal): Promise<InProcessRun> {
  let stdout = "";
  let stderr = "";
  const code = await main(args, {
    env,
    cwd: process.cwd(),
    stdin: new PassThrough(),
    stdout: sink((t) => (stdout += t)),
    stderr: sink((t) => (stderr += t)),
    signal,
  });
  return { code, stdout, stderr };
}
