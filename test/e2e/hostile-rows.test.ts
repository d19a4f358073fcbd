/**
 * Hostile rows with the real CLI against the emulator (HTTPS, real credential): every input row has exactly one
 * outcome in the report. A 50 MB value mid-file is one rejected row (the rows before and after it are imported); an
 * oversized quoted value that never closes stops the file with the lines it swallowed named, and the rows before it
 * keep their outcomes; stray CRs in a CRLF file end rows, on the lines an editor shows.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emulatorEnv, startEmulator, type EmulatorHandle } from "../../src/emulator/index.js";
import { runCli, type CliResult } from "../support/cli-process.js";
import { makeHash, readCsvReport } from "../support/device-csv.js";

let emulator: EmulatorHandle;
let env: Record<string, string>;

beforeAll(async () => {
  emulator = await startEmulator({ scenario: { seed: 16, clock: { speed: 60 }, processing: { delayMs: 1_000, spreadMs: 500 } } });
  env = { ...emulatorEnv(emulator), AUTOPILOT_IMPORT_LOG_LEVEL: "warn" };
});
const workDirs: string[] = [];
afterAll(async () => {
  await emulator?.close();
  for (const dir of workDirs) rmSync(dir, { recursive: true, force: true }); // a 50 MB input among them
});

const HEADER = "Device Serial Number,Windows Product ID,Hardware Hash,Group Tag";
const MB = 1024 * 1024;
const row = (serial: string): string => `${serial},,${makeHash()},`;

function workDir(name: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `autopilot-import-rows-${name}-`));
  workDirs.push(dir);
  return dir;
}

function importCli(dir: string, file: string): Promise<CliResult> {
  const args = ["import", file, "--report", path.join(dir, "report.csv"), "--batch-size", "10", "--state-dir", path.join(dir, "state"), "--no-sync", "--no-verify", "--no-cleanup"];
  return runCli(args, { env, cwd: dir });
}

function validateCli(dir: string, file: string): Promise<CliResult> {
  return runCli(["validate", file, "--report", path.join(dir, "checked.csv")], { env, cwd: dir });
}

/** The report's rows in input order (it is written in the order outcomes become final). */
function reportByLine(file: string): ReturnType<typeof readCsvReport> {
  return readCsvReport(file).sort((x, y) => Number(x.line) - Number(y.line));
}

/** Serials the emulator was sent with `prefix`, each with how often: every one must be 1. */
function submitted(prefix: string): Record<string, number> {
  return Object.fromEntries(Object.entries(emulator.stats().submissions.bySerial).filter(([serial]) => serial.startsWith(prefix)));
}

/** The line an editor shows each serial's row on (CRLF, LF and CR alone each end a line). */
function editorLines(text: string, serials: readonly string[]): number[] {
  const lines = text.split(/\r\n|\r|\n/);
  return serials.map((serial) => lines.findIndex((line) => line.startsWith(`${serial},`)) + 1);
}

const noStackTrace = (stderr: string): void => expect(stderr).not.toMatch(/\n\s+at |internal error/);

describe("hostile rows: every input row has exactly one outcome", () => {
  it("a 50 MB value mid-file is one rejected row on its line; the rows before and after it are imported", async () => {
    const dir = workDir("huge");
    const file = path.join(dir, "huge.csv");
    const text = [HEADER, row("HUGE-1"), row("HUGE-2"), `HUGE-BIG,,${"Q".repeat(50 * MB)},`, row("HUGE-3"), row("HUGE-4"), ""].join("\r\n");
    writeFileSync(file, text);

    const run = await importCli(dir, file);
    expect(run.code, run.stderr).toBe(1); // one row not done
    noStackTrace(run.stderr);
    expect(run.stderr).not.toContain("nothing from this file");
    expect(run.stderr).toContain("5 rows: 4 imported, 0 already registered, 0 failed, 0 timed out; 1 rejected (1 invalid, 0 duplicates)");
    const report = reportByLine(path.join(dir, "report.csv"));
    expect(report.map((r) => [r.line, r.serialNumber, r.status])).toEqual([
      ["2", "HUGE-1", "imported"],
      ["3", "HUGE-2", "imported"],
      ["4", "HUGE-BIG", "invalid"],
      ["5", "HUGE-3", "imported"],
      ["6", "HUGE-4", "imported"],
    ]);
    expect(report[2]).toMatchObject({ errorCode: "row_too_long", message: expect.stringContaining("longer than 1 MB") });
    expect(submitted("HUGE-")).toEqual({ "HUGE-1": 1, "HUGE-2": 1, "HUGE-3": 1, "HUGE-4": 1 });

    const checked = await validateCli(dir, file);
    expect(checked.code, checked.stderr).toBe(1);
    expect(checked.stderr).toContain("huge.csv:4: invalid (row_too_long)");
    expect(checked.stderr).toContain("Checked 5 rows in 1 file: 4 valid, 1 invalid");
    expect(readCsvReport(path.join(dir, "checked.csv")).map((r) => r.line)).toEqual(["2", "3", "4", "5", "6"]);
  });

  it("an oversized quoted value that never closes: the rows before it keep their outcomes, and the lines not read are named", async () => {
    const dir = workDir("unclosed");
    const file = path.join(dir, "unclosed.csv");
    const text = [HEADER, row("OPEN-1"), row("OPEN-2"), `OPEN-BIG,,"${"Q".repeat(2 * MB)}`, row("OPEN-3"), row("OPEN-4"), ""].join("\r\n");
    writeFileSync(file, text);

    const run = await importCli(dir, file);
    expect(run.code, run.stderr).toBe(2); // a file that could not be read to its end
    noStackTrace(run.stderr);
    const fileLines = run.stderr.split("\n").filter((line) => line.includes("unclosed.csv:"));
    expect(fileLines).toEqual([
      `autopilot-import: ${file}: the quoted value on line 4 (a row rejected as longer than 1 MB) is never closed: lines 5-6 (the end of the file) were inside it and not read as rows (its first 3 rows were read and are in the report; nothing after that was imported)`,
    ]);
    const report = reportByLine(path.join(dir, "report.csv"));
    expect(report.map((r) => [r.line, r.serialNumber, r.status, r.errorCode])).toEqual([
      ["2", "OPEN-1", "imported", ""],
      ["3", "OPEN-2", "imported", ""],
      ["4", "OPEN-BIG", "invalid", "row_too_long"],
    ]);
    expect(submitted("OPEN-")).toEqual({ "OPEN-1": 1, "OPEN-2": 1 });
  });

  it("stray CRs in a CRLF file end rows: nothing merged, every row imported on the line an editor shows", async () => {
    const dir = workDir("cr");
    const file = path.join(dir, "cr.csv");
    const serials = Array.from({ length: 8 }, (_, i) => `CR-${i + 1}`);
    // Lone CRs after rows 1, 3 (doubled: a blank line) and 6, and one right before the CRLF of row 7.
    const [a, b, c, d, e, f, g, h] = serials.map(row);
    const text = `${HEADER}\r\n${a}\r${b}\r\n${c}\r\r${d}\r\n${e}\r\n${f}\r${g}\r\r\n${h}\r\n`;
    writeFileSync(file, text);
    const expectedLines = editorLines(text, serials);
    expect(expectedLines).toEqual([2, 3, 4, 6, 7, 8, 9, 11]);

    const run = await importCli(dir, file);
    expect(run.code, run.stderr).toBe(0);
    noStackTrace(run.stderr);
    const report = reportByLine(path.join(dir, "report.csv"));
    expect(report.map((r) => [r.serialNumber, Number(r.line), r.status])).toEqual(serials.map((serial, i) => [serial, expectedLines[i], "imported"]));
    expect(submitted("CR-")).toEqual(Object.fromEntries(serials.map((serial) => [serial, 1])));

    const checked = await validateCli(dir, file);
    expect(checked.code, checked.stderr).toBe(0);
    expect(checked.stderr).toContain("Checked 8 rows in 1 file: 8 valid, 0 invalid");
    expect(readCsvReport(path.join(dir, "checked.csv")).map((r) => Number(r.line))).toEqual(expectedLines);
    expect(readFileSync(file, "utf8")).toBe(text); // the input is untouched
  });
});
