/**
 * The `migrate` command's options and configuration: the two tenants, each side's app (its client id by flag, its
 * secret only from the environment, both falling back to the common ones of a multi-tenant app), deregister's safety
 * switches, the report and the state directory.
 */
import path from "node:path";
import { z } from "zod";
import { UsageError } from "../../errors.js";
import { rememberSecrets } from "../../redact.js";
import { DEFAULT_STATE_DIR } from "../../state/state-dir.js";
import { timeStamp } from "../../util/time-stamp.js";
import { logOptions, signInOptions, graphParsing } from "../options/graph.js";
import { stateOptions } from "../options/import.js";
import { switchOption, valueOption } from "../options/option.js";
import { firstEnv, parseOptions, type Env } from "../options/parse.js";
import { DEFAULT_DEREGISTER_DEADLINE_MS, deregisterOwnOptions } from "./deregister.js";

/** Each side's secret has no flag (never in a process list): these variables, else the common AZURE_CLIENT_SECRET. */
export const SIDE_SECRET_ENV = {
  from: { secret: "AUTOPILOT_IMPORT_FROM_CLIENT_SECRET", file: "AUTOPILOT_IMPORT_FROM_CLIENT_SECRET_FILE" },
  to: { secret: "AUTOPILOT_IMPORT_TO_CLIENT_SECRET", file: "AUTOPILOT_IMPORT_TO_CLIENT_SECRET_FILE" },
} as const;

/** The sign-in options but --tenant: each side names its own. */
export const { tenant: _commonTenant, ...migrateSignInOptions } = signInOptions;
const own = (flag: string): string[] => [`AUTOPILOT_IMPORT_MIGRATE_${flag.toUpperCase().replace(/-/g, "_")}`];

export const migrateOwnOptions = {
  "from-tenant": valueOption({ arg: "ID", env: ["AUTOPILOT_IMPORT_FROM_TENANT"], schema: z.string().trim().min(1), help: "the tenant (id or domain) the devices leave: deregistered there" }),
  "to-tenant": valueOption({ arg: "ID", env: ["AUTOPILOT_IMPORT_TO_TENANT"], schema: z.string().trim().min(1), help: "the tenant (id or domain) the devices join: imported there" }),
  "from-client-id": valueOption({
    arg: "ID",
    env: ["AUTOPILOT_IMPORT_FROM_CLIENT_ID"],
    schema: z.string().trim().min(1),
    help: `the app signing in to --from-tenant (default: --client-id, for a multi-tenant app); its secret from ${SIDE_SECRET_ENV.from.secret}\n(or the file named by ${SIDE_SECRET_ENV.from.file}), else AZURE_CLIENT_SECRET`,
  }),
  "to-client-id": valueOption({
    arg: "ID",
    env: ["AUTOPILOT_IMPORT_TO_CLIENT_ID"],
    schema: z.string().trim().min(1),
    help: `the app signing in to --to-tenant (default: --client-id); its secret from ${SIDE_SECRET_ENV.to.secret}\n(or the file named by ${SIDE_SECRET_ENV.to.file}), else AZURE_CLIENT_SECRET`,
  }),
  yes: switchOption({ default: false, env: own("yes"), help: "deregister in --from-tenant without asking; without it the command asks on a terminal and refuses (exit 2) anywhere else" }),
  "delete-intune-record": switchOption({ ...deregisterOwnOptions["delete-intune-record"], env: own("delete-intune-record") }),
  deadline: valueOption({ ...deregisterOwnOptions.deadline, env: own("deadline"), help: "how long records leaving --from-tenant are followed until gone, and no longer listed (default 10m)" }),
  report: valueOption({
    arg: "PATH",
    env: own("report"),
    schema: z.string().min(1),
    help: "per-device report of both halves (default ./autopilot-migrate-report-<time>.csv; .jsonl for JSON Lines): file, line, serialNumber, status (moved, not_moved, invalid, duplicate), fromStatus, fromMessage, toStatus, toErrorCode, toMessage",
  }),
  json: switchOption({ default: false, env: own("json"), help: 'print one JSON object on stdout at the end: {"report","rows","moved","notMoved","invalid","duplicates","from","to"}' }),
  "dry-run": switchOption({ default: false, env: own("dry-run"), help: "read the file, look the devices up in --from-tenant and print the plan: reads only, no --yes needed" }),
  fresh: switchOption({ default: false, env: own("fresh"), help: "start this migration over: its journal and its halves' journals are set aside (kept), and the devices are looked up again in both tenants" }),
};

export const migrateTable = { ...migrateOwnOptions, ...stateOptions, ...migrateSignInOptions, ...logOptions };

export interface MigrateSide {
  readonly tenant: string;
  /** The side's client id, if given (else the common one, flag or environment, applies). */
  readonly clientId: string | undefined;
  /** The variables this side's half runs with: its secret in AZURE_CLIENT_SECRET (or its file), the rest as given. */
  readonly env: Env;
}

export interface MigrateConfig {
  readonly file: string;
  readonly from: MigrateSide;
  readonly to: MigrateSide;
  readonly yes: boolean;
  readonly deleteIntuneRecord: boolean;
  readonly deadlineMs: number;
  readonly reportPath: string;
  readonly json: boolean;
  readonly dryRun: boolean;
  readonly fresh: boolean;
  readonly stateDir: string;
  readonly forceUnlock: boolean;
  readonly logLevel: string;
}

/** `autopilot-migrate-report-20250102T030405Z.csv`: sortable, no characters Windows rejects. */
export function defaultMigrateReportName(now: Date): string {
  return `autopilot-migrate-report-${timeStamp(now.getTime())}.csv`;
}

/** The environment a side's half runs with: its own secret (or secret file) in the common variables' place. */
export function sideEnv(env: Env, side: keyof typeof SIDE_SECRET_ENV): Env {
  const names = SIDE_SECRET_ENV[side];
  const secret = firstEnv(env, [names.secret]);
  const file = firstEnv(env, [names.file]);
  const out: Record<string, string | undefined> = { ...env };
  // Neither side's own variables reach the halves: each sees only the secret it signs in with.
  for (const other of Object.values(SIDE_SECRET_ENV)) {
    delete out[other.secret];
    delete out[other.file];
  }
  if (secret !== undefined) {
    out["AZURE_CLIENT_SECRET"] = secret;
    delete out["AZURE_CLIENT_SECRET_FILE"];
  } else if (file !== undefined) {
    delete out["AZURE_CLIENT_SECRET"];
    out["AZURE_CLIENT_SECRET_FILE"] = file;
  }
  return out;
}

export function loadMigrateConfig(args: readonly string[], env: Env, cwd: string, now = new Date()): MigrateConfig {
  const { values: c, positionals } = parseOptions(migrateTable, args, env, { ...graphParsing, command: "migrate", positionals: true });
  if (positionals.length !== 1) throw new UsageError("migrate: give one file with hashes (an import file, such as one `import --archive` kept)");
  const fromTenant = c["from-tenant"];
  const toTenant = c["to-tenant"];
  if (!fromTenant || !toTenant) throw new UsageError("migrate: give both --from-tenant and --to-tenant");
  if (fromTenant.toLowerCase() === toTenant.toLowerCase()) throw new UsageError("migrate: --from-tenant and --to-tenant are the same tenant");
  if (positionals[0] === "-") throw new UsageError("migrate: standard input cannot be migrated (it cannot be read again to resume): save it to a file");
  rememberSecrets(...Object.values(SIDE_SECRET_ENV).map((names) => env[names.secret]));
  const reportPath = path.resolve(cwd, c.report ?? defaultMigrateReportName(now));
  return {
    file: positionals[0]!,
    from: { tenant: fromTenant, clientId: c["from-client-id"], env: sideEnv(env, "from") },
    to: { tenant: toTenant, clientId: c["to-client-id"], env: sideEnv(env, "to") },
    yes: c.yes,
    deleteIntuneRecord: c["delete-intune-record"],
    deadlineMs: c.deadline ?? DEFAULT_DEREGISTER_DEADLINE_MS,
    reportPath,
    json: c.json,
    dryRun: c["dry-run"],
    fresh: c.fresh,
    stateDir: path.resolve(cwd, c["state-dir"] ?? DEFAULT_STATE_DIR),
    forceUnlock: c["force-unlock"],
    logLevel: c["log-level"],
  };
}
