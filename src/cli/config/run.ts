/**
 * The `run` command's options and configuration (inbox mode): the inbox folder, the settle time and the report
 * format, plus every option it shares with `import`, from flags, then AUTOPILOT_IMPORT_* variables, so a container
 * needs no argument beyond `run`. The state directory defaults to `.autopilot-import/` inside the inbox folder.
 */
import path from "node:path";
import { z } from "zod";
import type { AfterImportOptions, CleanupSettings } from "../../after/options.js";
import { INBOX_STATE_DIR } from "../../inbox/layout.js";
import { DEFAULT_SETTLE_MS } from "../../inbox/settle.js";
import type { AuthConfig } from "../../run/graph.js";
import { formatDuration } from "../../util/duration.js";
import type { LogFormat } from "../../log.js";
import { graphCommandConfig, graphParsing, type LOG_LEVELS } from "../options/graph.js";
import { afterImportSettings, cleanupSettings, rowOverrides, submitSettings, type SubmitSettings } from "../options/import.js";
import type { RowOverrides } from "../../csv/types.js";
import type { CsvDelimiter } from "../../report/csv-format.js";
import { sharedImportOptions } from "./import.js";
import { envTable, switchOption, valueOption } from "../options/option.js";
import { parseOptions, type Env } from "../options/parse.js";
import { DEFAULT_PROFILE_WAIT, withOptionalDuration } from "../options/optional-duration.js";
import { choiceText, durationText } from "../options/values.js";
import { UsageError } from "../../errors.js";

export const INBOX_ENV = "AUTOPILOT_IMPORT_INBOX";

export const inboxOptions = {
  inbox: valueOption({ arg: "DIR", schema: z.string().min(1), help: "the folder holding inbox/, done/ and failed/ (inbox/, done/ and failed/ are created)" }),
  settle: valueOption({
    arg: "DURATION",
    schema: durationText(true),
    default: DEFAULT_SETTLE_MS,
    help: `how long a file must be unchanged before it is taken (default ${formatDuration(DEFAULT_SETTLE_MS)}; 0: at once)`,
  }),
  "report-format": valueOption({ arg: "FORMAT", schema: choiceText(["csv","jsonl"]), default: "csv" as "csv" | "jsonl", help: "csv (default) or jsonl: the reports beside the moved files" }),
  json: switchOption({
    default: false,
    help: 'print one JSON object on stdout at the end: {"inbox","files","skipped","recovered","unrecovered","sync","stopped","locked","exitCode","durationMs"}; each file is {"name","outcome" (done|failed|unmoved),"rows","valid","invalid","duplicates","submitted","imported","alreadyRegistered","updated","failed","timedOut","registered","uploads","requests","durationMs","movedTo","report","note","error","quarantined","change" (null|changed|vanished),"moveError","resumed"}; unrecovered: [{"name","error"}]; skipped: [{"name","reason"}] (hidden, partial, extension, notFile, young, changing, changed, gone); sync: {"status","message"[,"retryAt"]}; stopped: null or {"file","error"}; locked: null or the holder {"pid","host","since","command"}',
  }),
};

export const runOptions = { ...inboxOptions, ...sharedImportOptions };

export const RUN_ENV_FOR_FLAG = envTable(runOptions);

export interface RunConfig extends SubmitSettings {
  /** Absolute path of the folder holding inbox/, done/ and failed/. */
  readonly inbox: string;
  readonly settleMs: number;
  readonly reportFormat: "csv" | "jsonl";
  /** --report-delimiter; undefined: each file's own. */
  readonly reportDelimiter: CsvDelimiter | undefined;
  /** --group-tag / --assigned-user for every row of every file. */
  readonly overrides: RowOverrides | undefined;
  readonly json: boolean;
  readonly after: AfterImportOptions;
  readonly cleanup: CleanupSettings;
  /** Absolute path of the state directory. */
  readonly stateDir: string;
  readonly forceUnlock: boolean;
  readonly logLevel: (typeof LOG_LEVELS)[number];
  readonly logFile: string | undefined;
  readonly logFormat: LogFormat | undefined;
  readonly auth: AuthConfig;
}

/** Parses argv + environment into a RunConfig; throws UsageError with every problem named. */
export function loadRunConfig(args: readonly string[], env: Env, cwd: string): RunConfig {
  const { values: c } = parseOptions(runOptions, args, env, withOptionalDuration({ ...graphParsing, command: "run" }, "wait-profile", DEFAULT_PROFILE_WAIT));
  if (c.inbox === undefined) throw new UsageError(`give the inbox folder with --inbox DIR or ${INBOX_ENV}`);
  return {
    ...submitSettings(c),
    ...graphCommandConfig(c, env, cwd, { readCaCertificate: true }),
    inbox: path.resolve(cwd, c.inbox),
    settleMs: c.settle,
    reportFormat: c["report-format"],
    reportDelimiter: c["report-delimiter"],
    overrides: rowOverrides(c),
    json: c.json,
    after: afterImportSettings(c),
    cleanup: cleanupSettings(c),
    stateDir: path.resolve(cwd, c["state-dir"] ?? path.join(c.inbox, INBOX_STATE_DIR)),
    forceUnlock: c["force-unlock"],
  };
}
