import { resolve } from "node:path";
import { z } from "zod";
import { inputDelimiter } from "../../csv/delimiter.js";
import { openDeviceReader } from "../../csv/reader.js";
import { InterruptedError, UsageError } from "../../errors.js";
import type { RowResult } from "../../model/device.js";
import { openReportWriter, type ReportWriter } from "../../report/writer.js";
import { validationReportColumns } from "../../report/validation-report.js";
import type { CliContext, Command } from "../context.js";
import type { CommandOutcome } from "../exit-codes.js";
import { switchOption, valueOption } from "../options/option.js";
import { parseOptions } from "../options/parse.js";
import { reportDelimiterOption } from "../options/import.js";
import { commandHelp } from "../options/help.js";
import { checkInputFiles } from "../options/input-files.js";
import { countRow, emptyTally, humanSummary, jsonSummary, problemLine } from "../output/validate-tally.js";

/** Problems listed on stderr before the rest is left to the report. */
const LISTED_PROBLEMS = 20;

const validateOptions = {
  report: valueOption({
    arg: "PATH",
    env: [],
    schema: z.string().min(1).refine((value) => value !== "-", "needs a file path"),
    help: "write a per-row report: JSON Lines if PATH ends in .jsonl, CSV otherwise; columns: file, line, serialNumber, status (valid|invalid|duplicate), code, message",
  }),
  "report-delimiter": { ...reportDelimiterOption, env: [] },
  json: switchOption({ default: false, env: [], help: 'print one JSON object on stdout: {"rows","valid","invalid","duplicates","files":[{"path","rows","encoding","error"}]}' }),
};

const help = commandHelp({
  about: `Usage: autopilot-import validate <files...|-> [--report PATH] [--report-delimiter comma|semicolon|tab] [--json]

Checks hardware-hash CSV files without contacting Microsoft Graph: every row is read,
validated and checked for duplicates (across all files). Nothing is uploaded.

Arguments:
  files            one or more CSV files; '-' reads standard input
`,
  sections: [["Options", validateOptions]],
  after: `Files accepted:
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
`,
});


function usage(message: string): UsageError {
  return new UsageError(`validate: ${message} (see 'autopilot-import validate --help')`);
}

function parseValidateArgs(args: readonly string[], cwd: string) {
  const { values, positionals: files } = parseOptions(validateOptions, args, {}, { command: "validate", positionals: true });
  const { report, json, "report-delimiter": reportDelimiter } = values;
  if (files.length === 0) throw usage("no input files given ('-' reads standard input)");
  if (files.filter((file) => file === "-").length > 1) throw usage("'-' (standard input) can be given only once");
  // A FIFO or device would block the read (deaf to signals); the report must not be an input, through any link.
  try {
    checkInputFiles(files, cwd, { mustRead: false, outputs: report === undefined ? [] : [{ label: "the report", path: resolve(cwd, report), name: report }] });
  } catch (error) {
    throw error instanceof UsageError ? usage(error.message) : error;
  }
  return { files, report, json, reportDelimiter };
}

async function run(args: readonly string[], context: CliContext): Promise<CommandOutcome> {
  const options = parseValidateArgs(args, context.cwd);
  const reader = openDeviceReader(options.files, { stdin: context.stdin, signal: context.signal, cwd: context.cwd });
  // Opened before reading (a bad path fails first); the separator, the input's, is asked at the first row.
  const report: ReportWriter<RowResult> | undefined =
    options.report === undefined ? undefined : await openReportWriter(resolve(context.cwd, options.report), validationReportColumns, { delimiter: options.reportDelimiter ?? (() => inputDelimiter(reader.files)) });
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
  return { kind: "rows", unreadableFiles: reader.files.filter((file) => file.error !== null).length, rowsNotDone: tally.invalid + tally.duplicates };
}

export const validateCommand: Command = {
  name: "validate",
  summary: "check hardware-hash CSV files offline and report every invalid or duplicate row",
  help,
  options: validateOptions,
  run,
};
