import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, startCli } from "../../support/cli-process.js";
import { readExcelCsv } from "../../support/device-csv.js";
import { writeDeviceCsv } from "../../support/fixtures/generate.js";
import { fileTempDir } from "../../support/temp-dir.js";

const dir = fileTempDir();
const SAMPLES = ["fixtures/samples/powershell51-utf16le.csv", "fixtures/samples/powershell7-utf8.csv", "fixtures/samples/oem-partner.csv"];

interface JsonSummary {
  rows: number;
  valid: number;
  invalid: number;
  duplicates: number;
  files: { path: string; rows: number; encoding: string | null; error: string | null }[];
}

function parseJson(stdout: string): JsonSummary {
  const lines = stdout.trim().split("\n");
  expect(lines).toHaveLength(1); // exactly one JSON object
  const summary = JSON.parse(lines[0] as string) as JsonSummary;
  expect(Object.keys(summary)).toEqual(["rows", "valid", "invalid", "duplicates", "files"]);
  expect(summary.rows).toBe(summary.valid + summary.invalid + summary.duplicates);
  return summary;
}

function expectNoStack(stderr: string): void {
  expect(stderr).not.toMatch(/^\s+at /m);
  expect(stderr).not.toContain("internal error");
}

describe("validate: all valid", () => {
  it("exits 0 for the bundled samples and prints a short summary on stderr, nothing on stdout", async () => {
    const result = await runCli(["validate", ...SAMPLES]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      [
        "fixtures/samples/powershell51-utf16le.csv: 8 rows (utf-16le, ',' delimited)",
        "fixtures/samples/powershell7-utf8.csv: 12 rows (utf-8, ',' delimited)",
        "fixtures/samples/oem-partner.csv: 10 rows (utf-8, ',' delimited)",
        "Checked 30 rows in 3 files: 30 valid, 0 invalid, 0 duplicates.",
        "",
      ].join("\n"),
    );
  });

  it("prints exactly one JSON object with --json", async () => {
    const result = await runCli(["validate", "--json", ...SAMPLES]);
    expect(result.code).toBe(0);
    expect(parseJson(result.stdout)).toEqual({
      rows: 30,
      valid: 30,
      invalid: 0,
      duplicates: 0,
      files: [
        { path: SAMPLES[0], rows: 8, encoding: "utf-16le", error: null },
        { path: SAMPLES[1], rows: 12, encoding: "utf-8", error: null },
        { path: SAMPLES[2], rows: 10, encoding: "utf-8", error: null },
      ],
    });
  });

  it("reads standard input for '-'", async () => {
    const result = await runCli(["validate", "-", "--json"], { stdin: readFileSync(join("fixtures", "samples", "powershell51-utf16le.csv")) });
    expect(result.code).toBe(0);
    expect(parseJson(result.stdout).files).toEqual([{ path: "-", rows: 8, encoding: "utf-16le", error: null }]);
  });
});

describe("validate: bad rows", () => {
  it("exits 1, lists the problems with file and line, and writes a CSV report of every row", async () => {
    const report = join(dir, "report.csv");
    const result = await runCli(["validate", "fixtures/mixed-bad-rows.csv", "--report", report, "--json"]);
    expect(result.code).toBe(1);
    expect(parseJson(result.stdout)).toMatchObject({ rows: 14, valid: 3, invalid: 9, duplicates: 2 });
    expect(result.stderr).toContain("fixtures/mixed-bad-rows.csv:3: invalid (hash_not_base64): Hardware Hash is not valid base64 (character '#' at position 17)\n");
    expect(result.stderr).toContain("fixtures/mixed-bad-rows.csv:9: duplicate (duplicate_serial): Device Serial Number 'BAD0000001' already appears on line 2; only the first is used\n");
    expect(result.stderr).toContain(`Report: ${report}\n`);
    const rows = readExcelCsv(report);
    expect(Object.keys(rows[0] ?? {})).toEqual(["file", "line", "serialNumber", "status", "code", "message"]);
    expect(rows.map((row) => `${row.line}:${row.status}:${row.code}`)).toEqual([
      "2:valid:",
      "3:invalid:hash_not_base64",
      "4:invalid:serial_missing",
      "5:invalid:hash_too_short",
      "6:invalid:product_key_format",
      "7:invalid:upn_invalid",
      "8:invalid:group_tag_too_long",
      "9:duplicate:duplicate_serial",
      "10:duplicate:duplicate_hash",
      "11:invalid:too_many_fields",
      "12:invalid:hash_not_base64",
      "13:invalid:serial_not_printable",
      "14:valid:",
      "17:valid:",
    ]);
    expect(rows[12]).toEqual({ file: "fixtures/mixed-bad-rows.csv", line: "14", serialNumber: "BAD000000D", status: "valid", code: "", message: "" });
  });

  it("writes the CSV report with the input's separator (semicolon here), or the one --report-delimiter names", async () => {
    const own = join(dir, "semicolon-report.csv");
    expect((await runCli(["validate", "fixtures/semicolon-delimited.csv", "--report", own])).code).toBe(0);
    expect(readFileSync(own, "utf8").startsWith("\uFEFFfile;line;serialNumber;status;code;message\r\n")).toBe(true);
    const rows = readExcelCsv(own, ";");
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((row) => row.file === "fixtures/semicolon-delimited.csv" && row.status === "valid")).toBe(true);

    const tabbed = join(dir, "tab-report.csv");
    expect((await runCli(["validate", "fixtures/semicolon-delimited.csv", "--report", tabbed, "--report-delimiter", "tab"])).code).toBe(0);
    expect(readExcelCsv(tabbed, "\t")).toEqual(rows);
    const refused = await runCli(["validate", "fixtures/semicolon-delimited.csv", "--report", tabbed, "--report-delimiter", "pipe"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--report-delimiter: expected one of comma, semicolon, tab/);
  });

  it("writes JSON Lines when the report path ends in .jsonl", async () => {
    const report = join(dir, "report.jsonl");
    const result = await runCli(["validate", "fixtures/mixed-bad-rows.csv", "--report", report]);
    expect(result.code).toBe(1);
    const rows = readFileSync(report, "utf8").trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(rows).toHaveLength(14);
    expect(rows[1]).toEqual({
      file: "fixtures/mixed-bad-rows.csv",
      line: 3,
      serialNumber: "BAD0000002",
      status: "invalid",
      code: "hash_not_base64",
      message: "Hardware Hash is not valid base64 (character '#' at position 17)",
    });
  });

  it("lists the first 20 problems on stderr and counts the rest", async () => {
    const path = join(dir, "many-bad.csv");
    const stats = await writeDeviceCsv(path, { rows: 200, invalidRate: 0.5, seed: 5 });
    const problems = stats.invalid + stats.duplicates;
    const result = await runCli(["validate", path, "--json"]);
    expect(result.code).toBe(1);
    expect(parseJson(result.stdout)).toMatchObject({ rows: 200, valid: stats.valid, invalid: stats.invalid, duplicates: stats.duplicates });
    expect(result.stderr.split("\n").filter((line) => /^.+:\d+: (invalid|duplicate) /.test(line))).toHaveLength(20);
    expect(result.stderr).toContain(`… and ${problems - 20} more problems (use --report to list every row)\n`);
  });
});

describe("validate: files that cannot be read", () => {
  it.each([
    ["fixtures/empty.csv", "the file is empty"],
    ["fixtures/binary-garbage.csv", "the file contains NUL bytes: it is binary, or UTF-16 text without a byte-order mark (save it as UTF-8)"],
    ["fixtures/missing-column.csv", "missing required column 'Hardware Hash' (found: 'Device Serial Number', 'Windows Product ID', 'Group Tag')"],
    ["fixtures/no-header.csv", "no header line: the first line looks like a device row (it holds a hardware hash); add the header 'Device Serial Number,Windows Product ID,Hardware Hash'"],
    ["fixtures/does-not-exist.csv", "file not found"],
  ])("exits 2 for %s with one clear line", async (path, error) => {
    const result = await runCli(["validate", path, "--json"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${path}: error: ${error}\n`);
    expectNoStack(result.stderr);
    expect(parseJson(result.stdout).files).toEqual([expect.objectContaining({ path, rows: 0, error })]);
  });

  it("exits 2 for an unterminated quote but still reports the rows before it", async () => {
    const result = await runCli(["validate", "fixtures/unterminated-quote.csv", "--json"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("fixtures/unterminated-quote.csv: error: unterminated quote: a quoted value starting after line 4 is never closed (after 3 rows)\n");
    expect(parseJson(result.stdout)).toMatchObject({ rows: 3, valid: 3 });
  });

  it("exits 2 when one of several files fails, and still checks the others", async () => {
    const result = await runCli(["validate", SAMPLES[1] as string, "fixtures/empty.csv", "--json"]);
    expect(result.code).toBe(2);
    expect(parseJson(result.stdout)).toMatchObject({ rows: 12, valid: 12 });
    expect(result.stderr).toContain("Checked 12 rows in 2 files: 12 valid, 0 invalid, 0 duplicates. 1 file could not be read.\n");
  });
});

describe("validate: usage", () => {
  it.each([
    [[], "validate: no input files given ('-' reads standard input)"],
    [["a.csv", "--frobnicate"], "validate: unknown option '--frobnicate'"],
    [["a.csv", "--report"], "validate: --report needs a value (PATH)"],
    [["a.csv", "--json=yes"], "validate: --json does not take a value"],
    [["-", "-"], "validate: '-' (standard input) can be given only once"],
    [["fixtures/empty.csv", "--report", "./fixtures/empty.csv"], "validate: the report ./fixtures/empty.csv is the input fixtures/empty.csv: it would be overwritten; choose another path"],
  ])("exits 2 for %j with one line on stderr", async (args, message) => {
    const result = await runCli(["validate", ...args]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(`autopilot-import: ${message} (see 'autopilot-import validate --help')\n`);
  });

  it("exits 2 with one line when the report cannot be written", async () => {
    const report = join(dir, "missing-folder", "r.csv");
    const result = await runCli(["validate", SAMPLES[1] as string, "--report", report]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`autopilot-import: cannot write the report ${report}: its folder does not exist\n`);
  });

  it("prints the full help on --help and lists the command in the top-level help", async () => {
    const help = await runCli(["validate", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: autopilot-import validate <files\.\.\.\|-> \[--report PATH\] \[--report-delimiter comma\|semicolon\|tab\] \[--json\]/);
    for (const text of ["--report PATH", "--json", "Exit codes:", "UTF-16LE", "Windows-1252"]) expect(help.stdout).toContain(text);
    const top = await runCli(["--help"]);
    expect(top.stdout).toMatch(/^\s+validate\s+check hardware-hash CSV files offline/m);
  });
});

describe("validate: signals", () => {
  it("stops on SIGINT with exit code 130, keeping the report readable", async () => {
    const report = join(dir, "interrupted.csv");
    // Standard input stays open: the command waits for more rows until the signal arrives, which is sent once
    // the report exists (the signal handlers are installed before the command starts). The header is written at the
    // first row, or at the close the signal brings: the report is never left without one.
    const { child, result: finished } = startCli(["validate", "-", "--report", report], { keepStdinOpen: true });
    child.stdin.write(readFileSync(SAMPLES[1] as string));
    const poll = setInterval(() => {
      if (existsSync(report)) {
        clearInterval(poll);
        child.kill("SIGINT");
      }
    }, 25);
    const result = await finished;
    expect(result.code).toBe(130);
    expect(result.stderr).toContain("autopilot-import: interrupted by SIGINT\n");
    expect(readFileSync(report, "utf8").startsWith("\uFEFFfile,line,serialNumber,status,code,message\r\n")).toBe(true);
  });
});
