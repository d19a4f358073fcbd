#!/usr/bin/env node
import { releaseHeldLocks } from "../state/lock-file.js";
import { main } from "./main.js";

// The only place that touches the real process: argv, env, stdio, signals, exit.
// A second signal leaves at once: the state directory's locks still go (a stale one would be taken over anyway).
process.on("exit", releaseHeldLocks);
const controller = new AbortController();
let signalled: NodeJS.Signals | undefined;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (signalled) process.exit(signal === "SIGINT" ? 130 : 143); // second signal: leave at once
    signalled = signal;
    controller.abort(signal);
  });
}

const code = await main(process.argv.slice(2), {
  env: process.env,
  cwd: process.cwd(),
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  signal: controller.signal,
});
process.exitCode = code;
