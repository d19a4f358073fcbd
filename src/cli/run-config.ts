/**
 * The `run` command's configuration (inbox mode): the inbox folder, the settle time and the report format, plus every
 * option it shares with `import` (import-config.ts), from flags, then AUTOPILOT_IMPORT_* variables, so a container
 * needs no argument beyond `run`. The state directory defaults to `.autopilot-import/` inside the inbox folder.
 */
import path from "node:path";
import { z } from "zod";
import { DEFAULT_SETTLE_MS } from "../inbox/settle.js";
import { INBOX_STATE_DIR } from "../inbox/layout.js";
import { formatDuration } from "../pipeline/duration.js";
import { durationText, readFlagsAndEnv, validateConfig, type Env } from "./config-parse.js";
import { normalizeManagedIdentity } from "./graph-options.js";
import { fillSharedDefaults, SHARED_ENV_FOR_FLAG, sharedFlagOptions, sharedImportConfig, sharedSchemaShape, type SharedImportConfig } from "./import-config.js";

export const INBOX_ENV = "AUTOPILOT_IMPORT_INBOX";

export const RUN_ENV_FOR_FLAG = {
  inbox: [INBOX_ENV],
  settle: ["AUTOPILOT_IMPORT_SETTLE"],
  "report-format": ["AUTOPILOT_IMPORT_REPORT_FORMAT"],
  ...SHARED_ENV_FOR_FLAG,
} as const;

const flagOptions = {
  inbox: { type: "string" },
  settle: { type: "string" },
  "report-format": { type: "string" },
  ...sharedFlagOptions,
} as const;

const schema = z.object({
  inbox: z.string({ error: `give the inbox folder with --inbox DIR or ${INBOX_ENV}` }).min(1),
  settle: durationText(true),
  "report-format": z.enum(["csv", "jsonl"], { error: "expected 'csv' or 'jsonl'" }),
  ...sharedSchemaShape,
});

export interface RunConfig extends SharedImportConfig {
  /** Absolute path of the folder holding inbox/, done/ and failed/. */
  readonly inbox: string;
  readonly settleMs: number;
  readonly reportFormat: "csv" | "jsonl";
}

/** Parses argv + environment into a RunConfig; throws UsageError with every problem named. */
export function loadRunConfig(args: readonly string[], env: Env, cwd: string): RunConfig {
  const input = readFlagsAndEnv(normalizeManagedIdentity(args), env, flagOptions, RUN_ENV_FOR_FLAG, false);
  const { raw } = input;
  fillSharedDefaults(raw, typeof raw.inbox === "string" ? path.join(raw.inbox, INBOX_STATE_DIR) : INBOX_STATE_DIR);
  raw.settle ??= formatDuration(DEFAULT_SETTLE_MS);
  raw["report-format"] ??= "csv";
  const c = validateConfig(schema, input, env, RUN_ENV_FOR_FLAG);
  return {
    ...sharedImportConfig(c, env, cwd, { readCaCertificate: true }),
    inbox: path.resolve(cwd, c.inbox),
    settleMs: c.settle,
    reportFormat: c["report-format"],
  };
}
