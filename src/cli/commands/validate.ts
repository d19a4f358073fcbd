import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { openDeviceReader } from "../../csv/reader.js";
import { InterruptedError, UsageError } from "../../errors.js";
import type { RowResult } from "../../model/device.js";
import { openReportWriter, type ReportWriter } from "../../report/writer.js";
import { validationReportColumns } from "../../report/validation-report.js";
import type { CliContext, Command } from "../context.js";
import { ExitCode } from "../exit-codes.js";
import { countRow, emptyTally, humanSummary, jsonSummary, problemLine } from "../validate-tally.js";

/** Problems listed on stderr before the rest is left to the report. */
const LISTED_PROBLEMS = 20;

const help = `Usage: autopilot-import validate <files...|-> [--report PATH] [--json]

Checks hardware-hash CSV files without contacting Microsoft Graph: every row is read,
validated and checked for duplicates (across all files). Nothing is uploaded.

Arguments:
  files            one or more CSV files; '-' reads standard input

Options:
  --report PATH    write a per-row report: JSON Lines if PATH ends in .jsonl, CSV otherwise;
                   columns: file, line, serialNumber, status (valid|invalid|duplicate), code, message
  --json           print one JSON object on stdout:
                   {"rows","valid","invalid","duplicates","files":[{"path","rows","encoding","error"}]}
  -h, --help       show this help

Files accepted:
  encodings        UTF-8 (with or without BOM), UTF-16LE/BE with BOM (Windows PowerShell 5.1),
                   Windows-1252 "ANSI" (detected when the bytes are not UTF-8)
  delimiters       ',' ';' or tab, detected from the header line; quotes, CRLF/LF, blank lines
  columns          Device Serial Number and Hardware Hash required; Windows Product ID, Group Tag,
                   Assigned User optional; names match case- and space-insensitively, with aliases
                   (SerialNumber, HardwareHash, hardwareIdentifier, ProductKey, OrderID, AssignedUser, ...);
                   other columns (Manufacturer name, Device model, ...) are ignored

Exit codes:
  0    every row is valid
  1    some rows are invalid or duplicates
  2    usage error, or a file cannot be read or parsed at all
  130  interrupted (SIGINT), 143 terminated (SIGTERM)

Examples:
  autopilot-import validate devices.csv
  autopilot-import validate batch1.csv batch2.csv --report problems.csv
  cat devices.csv | autopilot-import validate - --json
`;

interface ValidateArgs {
  readonly files: readonly string[];
  readonly report: string | undefined;
  readonly json: boolean;
}

function usage(message: string): UsageError {
  return new UsageError(`validate: ${message} (see 'autopilot-import validate --help')`);
}

function parseValidateArgs(args: readonly string[], cwd: string): ValidateArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      options: { report: { type: "string" }, json: { type: "boolean" }, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    const option = /'(-[^' ]+)/.exec(error instanceof Error ? error.message : "")?.[1] ?? "?";
    const code = (error as { code?: string }).code;
    if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") throw usage(`unknown option '${option}'`);
    if (option === "--report") throw usage("--report needs a file path");
    throw usage(`${option} does not take a value`);
  }
  const files = parsed.positionals;
  const { report, json = false } = parsed.values;
  if (files.length === 0) throw usage("no input files given ('-' reads standard input)");
  if (files.filter((file) => file === "-").length > 1) throw usage("'-' (standard input) can be given only once");
  if (report !== undefined) {
    if (report === "" || report === "-") throw usage("--report needs a file path");
    const target = resolve(cwd, report);
    if (files.some((file) => file !== "-" && resolve(cwd, file) === target)) {
      throw usage(`the report ${report} would overwrite an input file`);
    }
  }
  return { files, report, json };
}

async function run(args: readonly string[], context: CliContext): Promise<number> {
  const options = parseValidateArgs(args, context.cwd);
  const report: ReportWriter<RowResult> | undefined =
    options.report === undefined ? undefined : await openReportWriter(resolve(context.cwd, options.report), validationReportColumns);
  const reader = openDeviceReader(options.files, { stdin: context.stdin, signal: context.signal, cwd: context.cwd });
  const tally = emptyTally();
  let listed = 0;
  try {
    for await (const row of reader.rows()) {
      countRow(tally, row);
      await report?.write(row);
      if (row.status !== "valid" && listed++ < LISTED_PROBLEMS) context.stderr.write(`${problemLine(row)}\n`);
    }
  } catch (error) {
    if (context.signal.aborted) {
      await report?.close().catch(() => undefined);
      throw new InterruptedError(context.signal.reason === "SIGTERM" ? "SIGTERM" : "SIGINT");
    }
    throw error;
  }
  await report?.close();
  if (listed > LISTED_PROBLEMS) {
    const more = listed - LISTED_PROBLEMS;
    context.stderr.write(`… and ${more} more ${more === 1 ? "problem" : "problems"}${options.report === undefined ? " (use --report to list every row)" : " (see the report)"}\n`);
  }
  context.stderr.write(humanSummary(tally, reader.files, options.report));
  if (options.json) context.stdout.write(`${jsonSummary(tally, reader.files)}\n`);
  if (reader.files.some((file) => file.error !== null)) return ExitCode.usage;
  return tally.invalid + tally.duplicates > 0 ? ExitCode.someRowsFailed : ExitCode.ok;
}

export const validateCommand: Command = {
  name: "validate",
  summary: "check hardware-hash CSV files offline and report every invalid or duplicate row",
  help,
  run,
};
