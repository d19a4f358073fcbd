#!/usr/bin/env node
import { setFlagsFromString } from "node:v8";
import { releaseHeldLocks } from "../state/lock-file.js";
import { main } from "./main.js";

// An import allocates megabytes per upload (its body, Graph's answer echoing the hashes) over little that stays live;
// V8's default lets the heap grow to up to 4x what is live before collecting, so peak RSS grew with the import's
// size. A 1.3x growth factor keeps the heap near what is live, at no measurable cost in time (bench/import.bench.ts).
setFlagsFromString("--heap-growing-percent=30");

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
