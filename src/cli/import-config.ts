/**
 * The `import` command's configuration: flags, then AUTOPILOT_IMPORT_* variables, then the standard Azure ones,
 * parsed once into one validated object. The only place that reads the environment for an import.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import { UsageError } from "../errors.js";
import { DEFAULT_BATCH_SIZE, DEFAULT_CONCURRENCY, DEFAULT_POLL_TIMEOUT_MS, MAX_BATCH_SIZE, MAX_CONCURRENCY } from "../pipeline/defaults.js";
import { parseDuration } from "../pipeline/duration.js";

type Env = Readonly<Record<string, string | undefined>>;

/** Flag → environment variables consulted when the flag is absent, first match wins. */
export const ENV_FOR_FLAG = {
  report: ["AUTOPILOT_IMPORT_REPORT"],
  json: ["AUTOPILOT_IMPORT_JSON"],
  "batch-size": ["AUTOPILOT_IMPORT_BATCH_SIZE"],
  concurrency: ["AUTOPILOT_IMPORT_CONCURRENCY"],
  api: ["AUTOPILOT_IMPORT_API"],
  "poll-timeout": ["AUTOPILOT_IMPORT_POLL_TIMEOUT"],
  "dry-run": ["AUTOPILOT_IMPORT_DRY_RUN"],
  "log-level": ["AUTOPILOT_IMPORT_LOG_LEVEL"],
  "log-file": ["AUTOPILOT_IMPORT_LOG_FILE"],
  tenant: ["AUTOPILOT_IMPORT_TENANT", "AZURE_TENANT_ID"],
  "client-id": ["AUTOPILOT_IMPORT_CLIENT_ID", "AZURE_CLIENT_ID"],
  certificate: ["AUTOPILOT_IMPORT_CERTIFICATE", "AZURE_CLIENT_CERTIFICATE_PATH"],
  "managed-identity": ["AUTOPILOT_IMPORT_MANAGED_IDENTITY"],
  cloud: ["AUTOPILOT_IMPORT_CLOUD"],
  "graph-url": ["AUTOPILOT_IMPORT_GRAPH_URL"],
  "authority-host": ["AUTOPILOT_IMPORT_AUTHORITY_HOST", "AZURE_AUTHORITY_HOST"],
  "ca-cert": ["AUTOPILOT_IMPORT_CA_CERT"],
} as const;

type FlagName = keyof typeof ENV_FOR_FLAG;

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
const CLOUDS = ["public", "usgov", "usgovdod", "china"] as const;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const flagOptions = {
  report: { type: "string" },
  json: { type: "boolean" },
  "batch-size": { type: "string" },
  concurrency: { type: "string" },
  api: { type: "string" },
  "poll-timeout": { type: "string" },
  "dry-run": { type: "boolean" },
  "log-level": { type: "string" },
  "log-file": { type: "string" },
  tenant: { type: "string" },
  "client-id": { type: "string" },
  certificate: { type: "string" },
  "managed-identity": { type: "string" },
  cloud: { type: "string" },
  "graph-url": { type: "string" },
  "authority-host": { type: "string" },
  "ca-cert": { type: "string" },
} as const;

const booleanText = z
  .union([z.boolean(), z.string()])
  .transform((value, ctx) => {
    if (typeof value === "boolean") return value;
    const text = value.trim().toLowerCase();
    if (["1", "true", "yes", "on"].includes(text)) return true;
    if (["", "0", "false", "no", "off"].includes(text)) return false;
    ctx.addIssue({ code: "custom", message: `expected true or false, got '${value}'` });
    return z.NEVER;
  });

const integerText = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, "expected a whole number")
    .transform(Number)
    .pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

const durationText = z.string().transform((value, ctx) => {
  const ms = parseDuration(value);
  if (ms === undefined || ms <= 0) {
    ctx.addIssue({ code: "custom", message: `expected a duration such as 90s, 30m, 1h or plain seconds, got '${value}'` });
    return z.NEVER;
  }
  return ms;
});

const urlText = z.url({ protocol: /^https?$/, error: "expected an https:// URL" });

const schema = z.object({
  files: z.array(z.string().min(1)).min(1, "give at least one CSV file, or - for standard input"),
  report: z.string().min(1),
  json: booleanText,
  "batch-size": integerText(1, MAX_BATCH_SIZE),
  concurrency: integerText(1, MAX_CONCURRENCY),
  api: z.enum(["import", "upload"], { error: "expected 'import' or 'upload'" }),
  "poll-timeout": durationText,
  "dry-run": booleanText,
  "log-level": z.enum(LOG_LEVELS, { error: `expected one of ${LOG_LEVELS.join(", ")}` }),
  "log-file": z.string().min(1).optional(),
  tenant: z.string().trim().min(1).optional(),
  "client-id": z.string().trim().min(1).optional(),
  certificate: z.string().min(1).optional(),
  "managed-identity": z.union([z.literal(true), z.string().regex(GUID, "expected a client id (GUID)")]).optional(),
  cloud: z.enum(CLOUDS, { error: `expected one of ${CLOUDS.join(", ")}` }),
  "graph-url": urlText.optional(),
  "authority-host": urlText.optional(),
  "ca-cert": z.string().min(1).optional(),
});

export interface AuthConfig {
  readonly tenantId: string | undefined;
  readonly clientId: string | undefined;
  /** From AZURE_CLIENT_SECRET or the file named by AZURE_CLIENT_SECRET_FILE; never from a flag. */
  readonly clientSecret: string | undefined;
  readonly certificatePath: string | undefined;
  /** AZURE_CLIENT_CERTIFICATE_PASSWORD, for an encrypted PEM. */
  readonly certificatePassword: string | undefined;
  /** AZURE_FEDERATED_TOKEN_FILE: Kubernetes workload identity. */
  readonly federatedTokenFile: string | undefined;
  /** true: system-assigned; a string: the user-assigned identity's client id. */
  readonly managedIdentity: true | string | undefined;
  readonly cloud: (typeof CLOUDS)[number];
  readonly graphUrl: string | undefined;
  readonly authorityHost: string | undefined;
  /** PEM text of an extra CA to trust (e.g. the emulator's). */
  readonly caCertificate: string | undefined;
  readonly caCertPath: string | undefined;
  readonly proxyUrl: string | undefined;
  readonly noProxy: string | undefined;
}

export interface ImportConfig {
  readonly files: readonly string[];
  /** Absolute path of the report. */
  readonly reportPath: string;
  readonly reportFormat: "csv" | "jsonl";
  readonly json: boolean;
  readonly batchSize: number;
  readonly concurrency: number;
  readonly api: "import" | "upload";
  readonly pollTimeoutMs: number;
  readonly dryRun: boolean;
  readonly logLevel: (typeof LOG_LEVELS)[number];
  readonly logFile: string | undefined;
  readonly auth: AuthConfig;
}

/** `autopilot-import-report-20250102T030405Z.csv`: sortable, no characters Windows rejects. */
export function defaultReportName(now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  return `autopilot-import-report-${stamp}.csv`;
}

/** `--managed-identity` takes an optional client id: as `=ID`, or as the next argument when that is a GUID. */
function normalizeManagedIdentity(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--managed-identity") {
      const next = args[i + 1];
      if (next !== undefined && GUID.test(next)) {
        out.push(`--managed-identity=${next}`);
        i += 1;
      } else out.push("--managed-identity=");
    } else out.push(arg);
  }
  return out;
}

function readSecretFile(file: string, cwd: string): string {
  try {
    return readFileSync(path.resolve(cwd, file), "utf8").replace(/\r?\n$/, "");
  } catch (error) {
    throw new UsageError(`cannot read AZURE_CLIENT_SECRET_FILE ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

function readCaCert(file: string, cwd: string): string {
  let text: string;
  try {
    text = readFileSync(path.resolve(cwd, file), "utf8");
  } catch (error) {
    throw new UsageError(`cannot read --ca-cert ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  if (!text.includes("-----BEGIN CERTIFICATE-----")) throw new UsageError(`--ca-cert ${file} is not a PEM certificate`);
  return text;
}

function firstEnv(env: Env, names: readonly string[]): string | undefined {
  for (const name of names) {
    const value = env[name];
    if (value !== undefined && value !== "") return value;
  }
  return undefined;
}

/** Parses argv + environment into an ImportConfig; throws UsageError with every problem named. */
export function loadImportConfig(args: readonly string[], env: Env, cwd: string, now: Date = new Date()): ImportConfig {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof flagOptions; allowPositionals: true; strict: true }>>;
  try {
    parsed = parseArgs({ args: normalizeManagedIdentity(args), options: flagOptions, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${(error as Error).message.replace(/\. To specify a positional argument.*$/s, "")}`);
  }
  const values = parsed.values as Partial<Record<FlagName, string | boolean>>;
  const raw: Record<string, unknown> = { files: parsed.positionals };
  for (const flag of Object.keys(ENV_FOR_FLAG) as FlagName[]) {
    raw[flag] = values[flag] ?? firstEnv(env, ENV_FOR_FLAG[flag]);
  }
  const mi = raw["managed-identity"];
  if (mi === "" || (typeof mi === "string" && booleanText.safeParse(mi).data === true)) raw["managed-identity"] = true;
  else if (typeof mi === "string" && booleanText.safeParse(mi).data === false) raw["managed-identity"] = undefined;
  raw.report ??= defaultReportName(now);
  raw.json ??= false;
  raw["dry-run"] ??= false;
  raw["batch-size"] ??= String(DEFAULT_BATCH_SIZE);
  raw.concurrency ??= String(DEFAULT_CONCURRENCY);
  raw.api ??= "import";
  raw["poll-timeout"] ??= `${DEFAULT_POLL_TIMEOUT_MS / 1000}`;
  raw["log-level"] ??= "info";
  raw.cloud ??= "public";

  const result = schema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const key = String(issue.path[0] ?? "");
      if (key === "files") return issue.message;
      const envNames = (ENV_FOR_FLAG as Record<string, readonly string[]>)[key] ?? [];
      const source = values[key as FlagName] !== undefined ? `--${key}` : (envNames.find((n) => env[n]) ?? `--${key}`);
      return `${source}: ${issue.message}`;
    });
    throw new UsageError(problems.join("; "));
  }
  const c = result.data;
  if (c.certificate && c["managed-identity"]) throw new UsageError("--certificate and --managed-identity cannot be combined");
  const secretFile = firstEnv(env, ["AZURE_CLIENT_SECRET_FILE"]);
  const clientSecret = firstEnv(env, ["AZURE_CLIENT_SECRET"]) ?? (secretFile ? readSecretFile(secretFile, cwd) : undefined);
  const reportPath = path.resolve(cwd, c.report);
  const caCertPath = c["ca-cert"] ? path.resolve(cwd, c["ca-cert"]) : undefined;
  return {
    files: c.files,
    reportPath,
    reportFormat: reportPath.toLowerCase().endsWith(".jsonl") ? "jsonl" : "csv",
    json: c.json,
    batchSize: c["batch-size"],
    concurrency: c.concurrency,
    api: c.api,
    pollTimeoutMs: c["poll-timeout"],
    dryRun: c["dry-run"],
    logLevel: c["log-level"],
    logFile: c["log-file"] ? path.resolve(cwd, c["log-file"]) : undefined,
    auth: {
      tenantId: c.tenant,
      clientId: c["client-id"],
      clientSecret,
      certificatePath: c.certificate ? path.resolve(cwd, c.certificate) : undefined,
      certificatePassword: firstEnv(env, ["AZURE_CLIENT_CERTIFICATE_PASSWORD"]),
      federatedTokenFile: firstEnv(env, ["AZURE_FEDERATED_TOKEN_FILE"]),
      managedIdentity: c["managed-identity"],
      cloud: c.cloud,
      graphUrl: c["graph-url"],
      authorityHost: c["authority-host"],
      caCertificate: c["ca-cert"] && !c["dry-run"] ? readCaCert(c["ca-cert"], cwd) : undefined,
      caCertPath,
      proxyUrl: firstEnv(env, ["HTTPS_PROXY", "https_proxy"]),
      noProxy: firstEnv(env, ["NO_PROXY", "no_proxy"]),
    },
  };
}
