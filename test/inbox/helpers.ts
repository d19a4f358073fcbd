/** Inbox tests: an inbox folder on disk, CSV files dropped into it, and the CLI run in this process against the emulator. */
import { mkdirSync, mkdtempSync, readdirSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { emulatorEnv, type EmulatorHandle } from "../../src/emulator/index.js";
import { runInProcess, type InProcessRun } from "../support/cli-in-process.js";
import { writeCsv, type CsvDevice } from "../support/device-csv.js";

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

/** Runs `autopilot-import <args>` in this process, signed in to the emulator through the environment (as a container is). */
export function cli(emulator: EmulatorHandle, args: readonly string[], env: Record<string, string> = {}, signal = new AbortController().signal): Promise<InProcessRun> {
  return runInProcess(args, { ...emulatorEnv(emulator), AUTOPILOT_IMPORT_LOG_LEVEL: "silent", ...env }, signal);
}

/** The serials of `prefix` the emulator received more than once (never any). */
export function submittedTwice(emulator: EmulatorHandle): readonly string[] {
  return emulator.stats().submissions.serialsSubmittedMoreThanOnce;
}
