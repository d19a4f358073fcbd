/**
 * What every command that talks to Graph accepts: sign-in, cloud and connection, and the log; resolved into the
 * AuthConfig the Graph client is built from (src/run/graph.ts). Secrets have no flag: they come from the environment
 * (or a file it names) only, so they never show in a process list.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { UsageError } from "../../errors.js";
import { rememberSecrets } from "../../redact.js";
import { LOG_FORMATS, type LogFormat } from "../../log.js";
import type { AuthConfig } from "../../run/graph.js";
import { DEFAULT_PUBLIC_CLIENT_ID } from "../../graph/delegated.js";
import { switchOption, valueOption, type OptionValues } from "./option.js";
import { firstEnv, type Env, type ParseOptions } from "./parse.js";
import { booleanText, choiceText, urlText } from "./values.js";

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export const CLOUD_NAMES = ["public", "usgov", "usgovdod", "china"] as const;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const signInOptions = {
  tenant: valueOption({ arg: "ID", env: ["AUTOPILOT_IMPORT_TENANT","AZURE_TENANT_ID"], schema: z.string().trim().min(1), help: "tenant id or domain" }),
  "client-id": valueOption({
    arg: "ID",
    env: ["AUTOPILOT_IMPORT_CLIENT_ID", "AZURE_CLIENT_ID"],
    schema: z.string().trim().min(1),
    help: `application (client) id: the app's, or with --device-code/--interactive your organisation's public client\n(default ${DEFAULT_PUBLIC_CLIENT_ID}, Microsoft Graph Command Line Tools)`,
  }),
  "device-code": switchOption({
    default: false,
    help: "sign in as yourself with a code: the URL and code are printed on stderr, open the URL on any device\n(for an admin at a laptop, over SSH, in a container); needs the delegated permission and an Intune role",
  }),
  interactive: switchOption({ default: false, help: "sign in as yourself in this machine's browser (as --device-code, where a browser can open)" }),
  certificate: valueOption({
    arg: "PATH",
    env: ["AUTOPILOT_IMPORT_CERTIFICATE", "AZURE_CLIENT_CERTIFICATE_PATH"],
    schema: z.string().min(1),
    help: "PEM with certificate and private key (password: AZURE_CLIENT_CERTIFICATE_PASSWORD)",
  }),
  "managed-identity": valueOption<true | string>({
    arg: "[ID]",
    schema: z.union([z.literal(true), z.string().regex(GUID, "expected a client id (GUID)")]),
    help: "use the managed identity (system-assigned, or the user-assigned client id)\nclient secret: only from AZURE_CLIENT_SECRET or the file named by AZURE_CLIENT_SECRET_FILE\nnone of these: workload identity, managed identity, Azure CLI/PowerShell/azd sign-in, in that order\n(Azure CLI/PowerShell tokens lack the Intune permission: at a laptop, use --device-code)",
  }),
  cloud: valueOption({ arg: "NAME", schema: choiceText(CLOUD_NAMES), default: "public" as (typeof CLOUD_NAMES)[number], help: "public (default), usgov, usgovdod, china" }),
  "graph-url": valueOption({ arg: "URL", schema: urlText, help: "Graph root override (e.g. the emulator)" }),
  "authority-host": valueOption({ arg: "URL", env: ["AUTOPILOT_IMPORT_AUTHORITY_HOST","AZURE_AUTHORITY_HOST"], schema: urlText, help: "sign-in host override" }),
  "ca-cert": valueOption({ arg: "PATH", schema: z.string().min(1), help: "also trust this CA certificate (PEM), e.g. the emulator's or a TLS-inspecting proxy's" }),
};

export const logOptions = {
  "log-level": valueOption({ arg: "LEVEL", schema: choiceText(LOG_LEVELS), default: "info" as (typeof LOG_LEVELS)[number], help: "fatal, error, warn, info (default), debug, trace, silent" }),
  "log-file": valueOption({ arg: "PATH", schema: z.string().min(1), help: "log lines to this file (otherwise stderr)" }),
  "log-format": valueOption({ arg: "FORMAT", schema: choiceText(LOG_FORMATS), help: "json or text (12:00:01 WARN  message key=value); default text on a terminal, json otherwise" }),
};

/** The sign-in, connection and log options of every Graph command. */
export const graphOptions = { ...signInOptions, ...logOptions };

export const SIGN_IN_TITLE =
  "Authentication (yourself: --device-code or --interactive; an app: secret, certificate or managed identity; either needs DeviceManagementServiceConfig.ReadWrite.All)";

/**
 * Settings read only from the environment, first match wins: secrets (and the token file) have no flag, so they never
 * show in a process list; the proxy follows the usual convention.
 */
export const GRAPH_ENV_ONLY = {
  clientSecret: ["AZURE_CLIENT_SECRET"],
  clientSecretFile: ["AZURE_CLIENT_SECRET_FILE"],
  certificatePassword: ["AZURE_CLIENT_CERTIFICATE_PASSWORD"],
  federatedTokenFile: ["AZURE_FEDERATED_TOKEN_FILE"],
  proxyUrl: ["HTTPS_PROXY", "https_proxy"],
  noProxy: ["NO_PROXY", "no_proxy"],
} as const;

/** For the help: each environment-only setting by its first name. */
export const ENVIRONMENT_ONLY_NAMES: readonly string[] = Object.values(GRAPH_ENV_ONLY).map((names) => names[0]);

/** `--managed-identity` takes an optional client id: as `=ID`, or as the next argument when that is a GUID. */
function prepareManagedIdentity(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg !== "--managed-identity") {
      out.push(arg);
      continue;
    }
    const next = args[i + 1];
    if (next !== undefined && GUID.test(next)) {
      out.push(`--managed-identity=${next}`);
      i += 1;
    } else out.push("--managed-identity=");
  }
  return out;
}

/** A bare `--managed-identity` or a true-ish variable means system-assigned; a false-ish one means none. */
function normalizeManagedIdentity(flag: string, raw: string | boolean): string | boolean | undefined {
  if (flag !== "managed-identity" || typeof raw !== "string") return raw;
  if (raw === "") return true;
  const asSwitch = booleanText.safeParse(raw);
  if (asSwitch.success) return asSwitch.data ? true : undefined;
  return raw;
}

/** How every Graph command parses: the managed identity's optional value. */
export const graphParsing: ParseOptions = { prepare: prepareManagedIdentity, normalize: normalizeManagedIdentity };

function readSecretFile(file: string, cwd: string): string {
  try {
    return readFileSync(path.resolve(cwd, file), "utf8").replace(/\r?\n$/, "");
  } catch (error) {
    throw new UsageError(`cannot read AZURE_CLIENT_SECRET_FILE ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

/** A secret or token file's content and lines (even when AZURE_CLIENT_SECRET wins over it: a secret all the same). */
function secretFileLines(file: string | undefined, cwd: string): string[] {
  if (!file) return [];
  try {
    const text = readFileSync(path.resolve(cwd, file), "utf8");
    return [text, ...text.split(/\r?\n/)];
  } catch {
    return [];
  }
}

/** Remembers every secret the environment configures, for any command (validate reads files that may be one of them). */
export function rememberConfiguredSecrets(env: Env, cwd: string): void {
  const names = [...GRAPH_ENV_ONLY.clientSecret, ...GRAPH_ENV_ONLY.certificatePassword];
  rememberSecrets(...names.map((name) => env[name]), ...secretFileLines(firstEnv(env, GRAPH_ENV_ONLY.clientSecretFile), cwd), ...secretFileLines(firstEnv(env, GRAPH_ENV_ONLY.federatedTokenFile), cwd));
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

/**
 * The CAs of NODE_EXTRA_CA_CERTS, to trust along with --ca-cert (an explicit CA list replaces Node's default one, which
 * holds them); none when unset or unreadable (Node itself warned at start).
 */
function extraCaCertificates(env: Env): string {
  const file = env.NODE_EXTRA_CA_CERTS;
  if (!file) return "";
  try {
    return (readFileSync(file, "utf8").match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map((pem) => `\n${pem}`).join("");
  } catch {
    return "";
  }
}

type GraphValues = OptionValues<typeof signInOptions>;

/** --device-code or --interactive: a user's own sign-in, which excludes the app-only ones. */
function delegatedSignIn(c: GraphValues): AuthConfig["signIn"] {
  if (c["device-code"] && c.interactive) throw new UsageError("--device-code and --interactive cannot be combined: choose one way to sign in");
  const flag = c["device-code"] ? "--device-code" : c.interactive ? "--interactive" : undefined;
  if (!flag) return undefined;
  if (c.certificate) throw new UsageError(`${flag} signs you in as yourself: drop --certificate`);
  if (c["managed-identity"]) throw new UsageError(`${flag} signs you in as yourself: drop --managed-identity`);
  return c["device-code"] ? "deviceCode" : "interactive";
}

/** The validated flags plus the secrets and proxy settings only the environment carries. */
export function resolveAuth(c: GraphValues, env: Env, cwd: string, options: { readCaCertificate: boolean }): AuthConfig {
  if (c.certificate && c["managed-identity"]) throw new UsageError("--certificate and --managed-identity cannot be combined");
  const signIn = delegatedSignIn(c);
  const secretFile = firstEnv(env, GRAPH_ENV_ONLY.clientSecretFile);
  const clientSecret = firstEnv(env, GRAPH_ENV_ONLY.clientSecret) ?? (secretFile ? readSecretFile(secretFile, cwd) : undefined);
  const certificatePassword = firstEnv(env, GRAPH_ENV_ONLY.certificatePassword);
  // Never printed from here on, whatever prints them (a link to the secret file read as a CSV, a careless message).
  const federatedTokenFile = firstEnv(env, GRAPH_ENV_ONLY.federatedTokenFile);
  rememberSecrets(clientSecret, certificatePassword, ...secretFileLines(secretFile, cwd), ...secretFileLines(federatedTokenFile, cwd));
  return {
    tenantId: c.tenant,
    clientId: c["client-id"],
    clientSecret,
    certificatePath: c.certificate ? path.resolve(cwd, c.certificate) : undefined,
    certificatePassword,
    federatedTokenFile,
    managedIdentity: c["managed-identity"],
    signIn,
    cloud: c.cloud,
    graphUrl: c["graph-url"],
    authorityHost: c["authority-host"],
    caCertificate: c["ca-cert"] && options.readCaCertificate ? readCaCert(c["ca-cert"], cwd) + extraCaCertificates(env) : undefined,
    caCertPath: c["ca-cert"] ? path.resolve(cwd, c["ca-cert"]) : undefined,
    proxyUrl: firstEnv(env, GRAPH_ENV_ONLY.proxyUrl),
    noProxy: firstEnv(env, GRAPH_ENV_ONLY.noProxy),
  };
}

/** What every Graph command's config carries besides its own options. */
export interface GraphCommandConfig {
  readonly logLevel: (typeof LOG_LEVELS)[number];
  readonly logFile: string | undefined;
  /** --log-format; undefined: text on a terminal, json otherwise (src/cli/output/terminal.ts). */
  readonly logFormat: LogFormat | undefined;
  readonly auth: AuthConfig;
}

export function graphCommandConfig(c: OptionValues<typeof graphOptions>, env: Env, cwd: string, options: { readCaCertificate: boolean }): GraphCommandConfig {
  return {
    logLevel: c["log-level"],
    logFile: c["log-file"] ? path.resolve(cwd, c["log-file"]) : undefined,
    logFormat: c["log-format"],
    auth: resolveAuth(c, env, cwd, options),
  };
}

/** The help sections every Graph command ends its options with. */
export const graphHelpSections = [
  [SIGN_IN_TITLE, signInOptions],
  ["Logs", logOptions],
] as const;
