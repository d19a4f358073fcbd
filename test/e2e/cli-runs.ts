/** A CLI import of its own (folder, input, report, state directory, arguments), and the journal it keeps. */
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect } from "vitest";
import { writeCsv, type CsvDevice } from "../support/device-csv.js";

export interface CliImportSetup {
  readonly dir: string;
  readonly file: string;
  readonly report: string;
  readonly stateDir: string;
  /** `import <file> --report … --json --batch-size 5 --state-dir … --no-sync`, then the given extras. */
  readonly args: string[];
}

export function cliImportSetup(folderPrefix: string, devices: readonly CsvDevice[], extra: readonly string[] = []): CliImportSetup {
  const dir = mkdtempSync(path.join(tmpdir(), folderPrefix.toLowerCase()));
  const file = writeCsv(dir, "devices.csv", devices);
  const report = path.join(dir, "report.csv");
  const stateDir = path.join(dir, "state");
  return { dir, file, report, stateDir, args: ["import", file, "--report", report, "--json", "--batch-size", "5", "--state-dir", stateDir, "--no-sync", ...extra] };
}

/** The one run journal in `stateDir`. */
export function journalOf(stateDir: string): string {
  const runs = path.join(stateDir, "runs");
  const names = readdirSync(runs).filter((n) => /^[0-9a-f]{16}\.jsonl$/.test(n));
  expect(names).toHaveLength(1);
  return path.join(runs, names[0]!);
}
