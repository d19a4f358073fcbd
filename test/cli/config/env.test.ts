/**
 * Containers are configured through the environment: every import flag has a variable that really sets it, and
 * secrets come only from the environment or files, never from an argument that shows in a process list.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SYNC_ENV_FOR_FLAG, loadSettingsConfig, loadSyncConfig } from "../../../src/cli/config/sync.js";
import { importCommand } from "../../../src/cli/commands/import.js";
import { GRAPH_ENV_ONLY } from "../../../src/cli/options/graph.js";
import { ENV_FOR_FLAG, loadImportConfig } from "../../../src/cli/config/import.js";
import { usageMessage } from "../../support/usage-error.js";

const cwd = mkdtempSync(path.join(tmpdir(), "config-env-"));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

const MI = "0b3c8c52-5d7e-4d7d-9f51-7a4e2f6c1e11";

/** One non-default value per import flag, as its AUTOPILOT_IMPORT_* variable, and where it must land in the config. */
const IMPORT_VARIABLES: Record<keyof typeof ENV_FOR_FLAG, { value: string; expect: Record<string, unknown> }> = {
  report: { value: "out/r.jsonl", expect: { reportPath: path.join(cwd, "out/r.jsonl"), reportFormat: "jsonl" } },
  json: { value: "true", expect: { json: true } },
  "batch-size": { value: "250", expect: { batchSize: 250 } },
  concurrency: { value: "2", expect: { concurrency: 2 } },
  api: { value: "upload", expect: { api: "upload" } },
  "poll-timeout": { value: "1h", expect: { pollTimeoutMs: 3_600_000 } },
  "dry-run": { value: "yes", expect: { dryRun: true } },
  verify: { value: "false", expect: { after: expect.objectContaining({ verify: false }) } },
  "verify-timeout": { value: "0", expect: { after: expect.objectContaining({ verifyTimeoutMs: 0 }) } },
  "update-existing": { value: "on", expect: { after: expect.objectContaining({ updateExisting: true }) } },
  sync: { value: "0", expect: { after: expect.objectContaining({ sync: false }) } },
  "sync-wait": { value: "no", expect: { after: expect.objectContaining({ syncWait: false }) } },
  "sync-max-wait": { value: "12m", expect: { after: expect.objectContaining({ syncMaxWaitMs: 720_000 }) } },
  "log-level": { value: "debug", expect: { logLevel: "debug" } },
  "log-file": { value: "logs/run.log", expect: { logFile: path.join(cwd, "logs/run.log") } },
  "log-format": { value: "text", expect: { logFormat: "text" } },
  tenant: { value: "contoso.onmicrosoft.com", expect: { auth: expect.objectContaining({ tenantId: "contoso.onmicrosoft.com" }) } },
  "client-id": { value: "app-id", expect: { auth: expect.objectContaining({ clientId: "app-id" }) } },
  certificate: { value: "cert.pem", expect: { auth: expect.objectContaining({ certificatePath: path.join(cwd, "cert.pem") }) } },
  "managed-identity": { value: MI, expect: { auth: expect.objectContaining({ managedIdentity: MI }) } },
  "device-code": { value: "true", expect: { auth: expect.objectContaining({ signIn: "deviceCode" }) } },
  interactive: { value: "yes", expect: { auth: expect.objectContaining({ signIn: "interactive" }) } },
  cloud: { value: "usgov", expect: { auth: expect.objectContaining({ cloud: "usgov" }) } },
  "graph-url": { value: "https://graph.example", expect: { auth: expect.objectContaining({ graphUrl: "https://graph.example" }) } },
  "authority-host": { value: "https://login.example", expect: { auth: expect.objectContaining({ authorityHost: "https://login.example" }) } },
  "ca-cert": { value: "ca.pem", expect: { auth: expect.objectContaining({ caCertPath: path.join(cwd, "ca.pem") }) } },
  "state-dir": { value: "/data/state", expect: { state: expect.objectContaining({ dir: "/data/state" }) } },
  fresh: { value: "true", expect: { state: expect.objectContaining({ fresh: true }) } },
  "force-unlock": { value: "1", expect: { state: expect.objectContaining({ forceUnlock: true }) } },
  cleanup: { value: "false", expect: { cleanup: expect.objectContaining({ enabled: false }) } },
  "cleanup-max-time": { value: "30m", expect: { cleanup: expect.objectContaining({ maxTimeMs: 1_800_000 }) } },
  "write-limit": { value: "50/20s", expect: { cleanup: expect.objectContaining({ writeLimit: { writes: 50, windowMs: 20_000 } }) } },
  "group-tag": { value: "Kiosk-Süd", expect: { overrides: { groupTag: "Kiosk-Süd", assignedUserPrincipalName: undefined } } },
  "assigned-user": { value: "ana@contoso.com", expect: { overrides: { groupTag: undefined, assignedUserPrincipalName: "ana@contoso.com" } } },
  "report-delimiter": { value: "semicolon", expect: { reportDelimiter: ";" } },
  "wait-profile": { value: "45m", expect: { after: expect.objectContaining({ waitProfileMs: 2_700_000 }) } },
  "add-to-group": { value: "Autopilot Devices\nKiosk", expect: { groups: { names: ["Autopilot Devices", "Kiosk"], entraWaitMs: 120_000 } } },
  "add-to-group-wait": { value: "5m", expect: {} },
  archive: { value: "kept", expect: { archiveDir: path.join(cwd, "kept") } },
};

/** The long flags a help text documents (`--no-x` documents `x`). */
function documentedFlags(help: string): Set<string> {
  const flags = new Set<string>();
  for (const match of help.matchAll(/^ {2}--(?:no-)?([a-z][a-z-]*)/gm)) flags.add(match[1]!);
  return flags;
}

describe("import configuration from the environment", () => {
  it("every flag in `import --help` has an environment variable, and every variable is named in the help", () => {
    const flags = documentedFlags(importCommand.help);
    expect([...flags].sort()).toEqual(Object.keys(ENV_FOR_FLAG).sort());
    const environment = importCommand.help.slice(importCommand.help.indexOf("Environment"));
    for (const names of Object.values(ENV_FOR_FLAG)) {
      for (const name of names) expect(environment.includes(name) || environment.includes(name.replace("AUTOPILOT_IMPORT", ""))).toBe(true);
    }
  });

  it("each AUTOPILOT_IMPORT_* variable alone sets its option", () => {
    // ca.pem must exist only when the CA is read (not in a dry run): keep the run a real one unless dry-run is tested.
    writeFileSync(path.join(cwd, "ca.pem"), "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
    for (const [flag, { value, expect: expected }] of Object.entries(IMPORT_VARIABLES)) {
      const variable = ENV_FOR_FLAG[flag as keyof typeof ENV_FOR_FLAG][0]!;
      expect(variable.startsWith("AUTOPILOT_IMPORT_"), flag).toBe(true);
      expect(loadImportConfig(["a.csv"], { [variable]: value }, cwd), variable).toMatchObject(expected);
    }
  });

  it("the standard Azure variables sign in when no AUTOPILOT_IMPORT_* variable is set", () => {
    const env = {
      AZURE_TENANT_ID: "tenant",
      AZURE_CLIENT_ID: "client",
      AZURE_CLIENT_CERTIFICATE_PATH: "/secrets/cert.pem",
      AZURE_CLIENT_CERTIFICATE_PASSWORD: "pem-password",
      AZURE_FEDERATED_TOKEN_FILE: "/var/run/secrets/azure/tokens/azure-identity-token",
      AZURE_AUTHORITY_HOST: "https://login.microsoftonline.us",
    };
    expect(loadImportConfig(["a.csv"], env, cwd).auth).toMatchObject({
      tenantId: "tenant",
      clientId: "client",
      certificatePath: "/secrets/cert.pem",
      certificatePassword: "pem-password",
      federatedTokenFile: env.AZURE_FEDERATED_TOKEN_FILE,
      authorityHost: env.AZURE_AUTHORITY_HOST,
    });
  });

  it("sync and settings read the same sign-in variables", () => {
    const env = { AUTOPILOT_IMPORT_TENANT: "t", AZURE_CLIENT_ID: "c", AUTOPILOT_IMPORT_SYNC_WAIT: "true", AUTOPILOT_IMPORT_JSON: "1" };
    expect(loadSyncConfig([], env, cwd)).toMatchObject({ wait: true, json: true, auth: { tenantId: "t", clientId: "c" } });
    expect(loadSettingsConfig([], env, cwd)).toMatchObject({ json: true, auth: { tenantId: "t", clientId: "c" } });
    for (const [flag, names] of Object.entries(SYNC_ENV_FOR_FLAG)) {
      const own = ENV_FOR_FLAG[flag as keyof typeof ENV_FOR_FLAG] ?? ENV_FOR_FLAG[`sync-${flag}` as keyof typeof ENV_FOR_FLAG];
      expect(own, `sync --${flag} shares import's variable`).toEqual(names);
    }
  });
});

describe("secrets", () => {
  it("no flag of any Graph command can carry a secret", () => {
    const flags = [...Object.keys(ENV_FOR_FLAG), ...Object.keys(SYNC_ENV_FOR_FLAG)];
    expect(flags.filter((flag) => /secret|password|token|key/i.test(flag))).toEqual([]);
    for (const flag of ["--client-secret", "--secret", "--password", "--certificate-password", "--federated-token"]) {
      expect(usageMessage(() => loadImportConfig(["a.csv", flag, "x"], {}, cwd))).toContain(flag.slice(2));
      expect(usageMessage(() => loadSyncConfig([flag, "x"], {}, cwd))).toContain(flag.slice(2));
    }
  });

  it("the client secret comes from AZURE_CLIENT_SECRET, else from the file AZURE_CLIENT_SECRET_FILE names", () => {
    const file = path.join(cwd, "client-secret");
    writeFileSync(file, "from-file\n");
    expect(loadImportConfig(["a.csv"], { AZURE_CLIENT_SECRET_FILE: file }, cwd).auth.clientSecret).toBe("from-file");
    expect(loadImportConfig(["a.csv"], { AZURE_CLIENT_SECRET_FILE: "client-secret" }, cwd).auth.clientSecret).toBe("from-file");
    expect(loadImportConfig(["a.csv"], { AZURE_CLIENT_SECRET: "from-env", AZURE_CLIENT_SECRET_FILE: file }, cwd).auth.clientSecret).toBe("from-env");
    expect(usageMessage(() => loadImportConfig(["a.csv"], { AZURE_CLIENT_SECRET_FILE: "missing" }, cwd))).toContain("AZURE_CLIENT_SECRET_FILE");
  });

  it("the environment-only settings are exactly the secrets, the token file and the proxy", () => {
    const flagged = new Set<string>(Object.values(ENV_FOR_FLAG).flat());
    for (const names of Object.values(GRAPH_ENV_ONLY)) for (const name of names) expect(flagged.has(name), name).toBe(false);
    expect(Object.keys(GRAPH_ENV_ONLY).sort()).toEqual(["certificatePassword", "clientSecret", "clientSecretFile", "federatedTokenFile", "noProxy", "proxyUrl"]);
    expect(loadImportConfig(["a.csv"], { https_proxy: "http://proxy:3128", no_proxy: ".corp" }, cwd).auth).toMatchObject({ proxyUrl: "http://proxy:3128", noProxy: ".corp" });
  });
});
