/**
 * What every command that talks to Graph accepts: sign-in, cloud and connection flags (with their environment
 * variables), and the log flags; resolved into the AuthConfig the Graph client is built from. Shared by `import`,
 * `sync` and `settings`, so a flag or variable means the same everywhere.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { UsageError } from "../errors.js";
import { booleanText, firstEnv, urlText, type Env } from "./config-parse.js";

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export const CLOUD_NAMES = ["public", "usgov", "usgovdod", "china"] as const;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const GRAPH_ENV_FOR_FLAG = {
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

export const graphFlagOptions = {
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

export const graphSchemaShape = {
  "log-level": z.enum(LOG_LEVELS, { error: `expected one of ${LOG_LEVELS.join(", ")}` }),
  "log-file": z.string().min(1).optional(),
  tenant: z.string().trim().min(1).optional(),
  "client-id": z.string().trim().min(1).optional(),
  certificate: z.string().min(1).optional(),
  "managed-identity": z.union([z.literal(true), z.string().regex(GUID, "expected a client id (GUID)")]).optional(),
  cloud: z.enum(CLOUD_NAMES, { error: `expected one of ${CLOUD_NAMES.join(", ")}` }),
  "graph-url": urlText.optional(),
  "authority-host": urlText.optional(),
  "ca-cert": z.string().min(1).optional(),
};

/** The help text's section for these flags and variables. */
export const GRAPH_OPTIONS_HELP = `Authentication (Microsoft Entra ID app with DeviceManagementServiceConfig.ReadWrite.All):
  --tenant ID              tenant id or domain
  --client-id ID           application (client) id
  --certificate PATH       PEM with certificate and private key (password: AZURE_CLIENT_CERTIFICATE_PASSWORD)
  --managed-identity [ID]  use the managed identity (system-assigned, or the user-assigned client id)
  client secret            only from AZURE_CLIENT_SECRET or the file named by AZURE_CLIENT_SECRET_FILE
  (none of these)          workload identity, managed identity, Azure CLI/PowerShell/azd sign-in, in that order
  --cloud NAME             public (default), usgov, usgovdod, china
  --graph-url URL          Graph root override (e.g. the emulator)
  --authority-host URL     sign-in host override
  --ca-cert PATH           also trust this CA certificate (PEM), e.g. the emulator's or a TLS-inspecting proxy's
  --log-level LEVEL        fatal, error, warn, info (default), debug, trace, silent
  --log-file PATH          JSON log lines to this file (otherwise stderr)
`;

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
  readonly cloud: (typeof CLOUD_NAMES)[number];
  readonly graphUrl: string | undefined;
  readonly authorityHost: string | undefined;
  /** PEM text of an extra CA to trust (e.g. the emulator's). */
  readonly caCertificate: string | undefined;
  readonly caCertPath: string | undefined;
  readonly proxyUrl: string | undefined;
  readonly noProxy: string | undefined;
}

/** `--managed-identity` takes an optional client id: as `=ID`, or as the next argument when that is a GUID. */
export function normalizeManagedIdentity(args: readonly string[]): string[] {
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

/** Before validation: a bare flag or a true-ish variable means system-assigned; a false-ish one means none. Fills defaults. */
export function prepareGraphValues(raw: Record<string, unknown>): void {
  const mi = raw["managed-identity"];
  if (mi === "" || (typeof mi === "string" && booleanText.safeParse(mi).data === true)) raw["managed-identity"] = true;
  else if (typeof mi === "string" && booleanText.safeParse(mi).data === false) raw["managed-identity"] = undefined;
  raw["log-level"] ??= "info";
  raw.cloud ??= "public";
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

type GraphValues = z.output<z.ZodObject<typeof graphSchemaShape>>;

/** The validated flags plus the secrets and proxy settings only the environment carries. */
export function resolveAuth(c: GraphValues, env: Env, cwd: string, options: { readCaCertificate: boolean }): AuthConfig {
  if (c.certificate && c["managed-identity"]) throw new UsageError("--certificate and --managed-identity cannot be combined");
  const secretFile = firstEnv(env, GRAPH_ENV_ONLY.clientSecretFile);
  const clientSecret = firstEnv(env, GRAPH_ENV_ONLY.clientSecret) ?? (secretFile ? readSecretFile(secretFile, cwd) : undefined);
  return {
    tenantId: c.tenant,
    clientId: c["client-id"],
    clientSecret,
    certificatePath: c.certificate ? path.resolve(cwd, c.certificate) : undefined,
    certificatePassword: firstEnv(env, GRAPH_ENV_ONLY.certificatePassword),
    federatedTokenFile: firstEnv(env, GRAPH_ENV_ONLY.federatedTokenFile),
    managedIdentity: c["managed-identity"],
    cloud: c.cloud,
    graphUrl: c["graph-url"],
    authorityHost: c["authority-host"],
    caCertificate: c["ca-cert"] && options.readCaCertificate ? readCaCert(c["ca-cert"], cwd) : undefined,
    caCertPath: c["ca-cert"] ? path.resolve(cwd, c["ca-cert"]) : undefined,
    proxyUrl: firstEnv(env, GRAPH_ENV_ONLY.proxyUrl),
    noProxy: firstEnv(env, GRAPH_ENV_ONLY.noProxy),
  };
}
