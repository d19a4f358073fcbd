/** Inbox tests: an inbox folder on disk, CSV files dropped into it, and the CLI run in this process against the emulator. */
import { mkdirSync, mkdtempSync, readdirSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough, Writable } from "node:stream";
import { main } from "../../src/cli/main.js";
import type { EmulatorHandle } from "../../src/emulator/index.js";
import { emulatorEnv } from "../e2e/cli-process.js";
import { writeCsv, type CsvDevice } from "../e2e/helpers.js";

/** A fresh folder with an empty inbox/ in it. */
export function makeInbox(prefix: string): { root: string; inbox: string } {
  const root = mkdtempSync(path.join(tmpdir(), `autopilot-import-inbox-${prefix}-`));
  const inbox = path.join(root, "inbox");
  mkdirSync(inbox);
  return { root, inbox };
}

/** Drops a CSV into the inbox with an mtime `ageMs` in the past (old enough to be settled by default). */
export function drop(inbox: string, name: string, devices: readonly CsvDevice[], ageMs = 60_000): string {
  const file = writeCsv(inbox, name, devices);
  age(file, ageMs);
  return file;
}

export function age(file: string, ageMs: number): void {
  const at = new Date(Date.now() - ageMs);
  utimesSync(file, at, at);
}

/** A folder's entries, sorted (empty when it does not exist). */
export function list(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

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

/** Runs `autopilot-import <args>` in this process, signed in to the emulator through the environment (as a container is). */
export async function cli(emulator: EmulatorHandle, args: readonly string[], env: Record<string, string> = {}, signal = new AbortController().signal): Promise<InProcessRun> {
  let stdout = "";
  let stderr = "";
  const code = await main(args, {
    env: { ...emulatorEnv(emulator), AUTOPILOT_IMPORT_LOG_LEVEL: "silent", ...env },
    cwd: process.cwd(),
    stdin: new PassThrough(),
    stdout: sink((t) => (stdout += t)),
    stderr: sink((t) => (stderr += t)),
    signal,
  });
  return { code, stdout, stderr };
}

/** The serials of `prefix` the emulator received more than once (never any). */
export function submittedTwice(emulator: EmulatorHandle): readonly string[] {
  return emulator.stats().submissions.serialsSubmittedMoreThanOnce;
}
