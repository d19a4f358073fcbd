import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { defaultReportName, loadImportConfig } from "../../../src/cli/config/import.js";
import { DEFAULT_BATCH_SIZE, DEFAULT_CONCURRENCY } from "../../../src/pipeline/defaults.js";
import { usageMessage } from "../../support/usage-error.js";

const cwd = mkdtempSync(path.join(tmpdir(), "import-config-"));
const now = new Date(Date.UTC(2025, 0, 2, 3, 4, 5, 678));
const load = (args: string[], env: Record<string, string> = {}) => loadImportConfig(args, env, cwd, now);

describe("loadImportConfig", () => {
  it("fills defaults", () => {
    const config = load(["a.csv"]);
    expect(config).toMatchObject({
      files: ["a.csv"],
      reportPath: path.join(cwd, "autopilot-import-report-20250102T030405Z.csv"),
      reportFormat: "csv",
      json: false,
      batchSize: DEFAULT_BATCH_SIZE,
      concurrency: DEFAULT_CONCURRENCY,
      api: "import",
      pollTimeoutMs: 30 * 60_000,
      dryRun: false,
      logLevel: "info",
      auth: { cloud: "public", managedIdentity: undefined, clientSecret: undefined },
    });
    expect(defaultReportName(now)).toBe("autopilot-import-report-20250102T030405Z.csv");
  });

  it("reads flags", () => {
    const config = load([
      "-",
      "b.csv",
      "--report=out/r.jsonl",
      "--json",
      "--batch-size",
      "100",
      "--concurrency",
      "8",
      "--api",
      "upload",
      "--poll-timeout",
      "90s",
      "--dry-run",
      "--tenant",
      "t",
      "--client-id",
      "c",
      "--cloud",
      "usgov",
      "--graph-url",
      "https://127.0.0.1:8443",
    ]);
    expect(config).toMatchObject({
      files: ["-", "b.csv"],
      reportPath: path.join(cwd, "out/r.jsonl"),
      reportFormat: "jsonl",
      json: true,
      batchSize: 100,
      concurrency: 8,
      api: "upload",
      pollTimeoutMs: 90_000,
      dryRun: true,
      auth: { tenantId: "t", clientId: "c", cloud: "usgov", graphUrl: "https://127.0.0.1:8443" },
    });
  });

  it("takes AUTOPILOT_IMPORT_* and Azure variables when flags are absent, flags first", () => {
    const env = {
      AUTOPILOT_IMPORT_BATCH_SIZE: "250",
      AUTOPILOT_IMPORT_POLL_TIMEOUT: "1h",
      AUTOPILOT_IMPORT_JSON: "true",
      AZURE_TENANT_ID: "env-tenant",
      AZURE_CLIENT_ID: "env-client",
      AZURE_CLIENT_SECRET: "s3cret",
      AZURE_AUTHORITY_HOST: "https://login.example",
      HTTPS_PROXY: "http://proxy:3128",
      NO_PROXY: "localhost",
    };
    const config = load(["a.csv", "--client-id", "flag-client"], env);
    expect(config).toMatchObject({
      batchSize: 250,
      pollTimeoutMs: 3_600_000,
      json: true,
      auth: {
        tenantId: "env-tenant",
        clientId: "flag-client",
        clientSecret: "s3cret",
        authorityHost: "https://login.example",
        proxyUrl: "http://proxy:3128",
        noProxy: "localhost",
      },
    });
    expect(load(["a.csv"], { ...env, AUTOPILOT_IMPORT_TENANT: "ours" }).auth.tenantId).toBe("ours");
  });

  it("after-import steps: verify, sync and sync-wait on, update-existing off; --no-* and variables turn them", () => {
    expect(load(["a.csv"]).after).toEqual({ verify: true, verifyTimeoutMs: 600_000, updateExisting: false, sync: true, syncWait: true, syncMaxWaitMs: 900_000 });
    expect(load(["a.csv", "--no-verify", "--update-existing", "--no-sync", "--no-sync-wait", "--verify-timeout", "0", "--sync-max-wait", "12m"]).after).toEqual({
      verify: false,
      verifyTimeoutMs: 0,
      updateExisting: true,
      sync: false,
      syncWait: false,
      syncMaxWaitMs: 720_000,
    });
    const env = { AUTOPILOT_IMPORT_UPDATE_EXISTING: "yes", AUTOPILOT_IMPORT_SYNC: "off" };
    expect(load(["a.csv"], env).after).toMatchObject({ updateExisting: true, sync: false });
    expect(load(["a.csv", "--sync"], env).after.sync).toBe(true);
    expect(usageMessage(() => load(["a.csv", "--verify-timeout", "later"]))).toContain("--verify-timeout: expected a duration");
  });

  it("reads the client secret from AZURE_CLIENT_SECRET_FILE, never from a flag", () => {
    const file = path.join(cwd, "secret.txt");
    writeFileSync(file, "from-file\n");
    expect(load(["a.csv"], { AZURE_CLIENT_SECRET_FILE: file }).auth.clientSecret).toBe("from-file");
    expect(usageMessage(() => load(["a.csv", "--client-secret", "x"]))).toMatch(/client-secret/);
  });

  it("accepts --managed-identity alone, with a GUID, or with =GUID", () => {
    const id = "0b3c8c52-5d7e-4d7d-9f51-7a4e2f6c1e11";
    expect(load(["--managed-identity", "a.csv"]).auth.managedIdentity).toBe(true);
    expect(load(["--managed-identity", id, "a.csv"])).toMatchObject({ files: ["a.csv"], auth: { managedIdentity: id } });
    expect(load([`--managed-identity=${id}`, "a.csv"]).auth.managedIdentity).toBe(id);
    expect(load(["a.csv"], { AUTOPILOT_IMPORT_MANAGED_IDENTITY: "true" }).auth.managedIdentity).toBe(true);
    expect(usageMessage(() => load(["--managed-identity=nope", "a.csv"]))).toMatch(/--managed-identity: expected a client id/);
  });

  it("reads the extra CA certificate", () => {
    const file = path.join(cwd, "ca.pem");
    writeFileSync(file, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
    expect(load(["a.csv", "--ca-cert", file]).auth.caCertificate).toContain("BEGIN CERTIFICATE");
    writeFileSync(path.join(cwd, "bad.pem"), "hello");
    expect(usageMessage(() => load(["a.csv", "--ca-cert", "bad.pem"]))).toMatch(/not a PEM certificate/);
    expect(usageMessage(() => load(["a.csv", "--ca-cert", "missing.pem"]))).toMatch(/cannot read --ca-cert missing.pem: ENOENT/);
  });

  it("names every bad value and where it came from", () => {
    const message = usageMessage(() =>
      load(["a.csv", "--batch-size", "0", "--concurrency", "x", "--poll-timeout", "soon"], { AUTOPILOT_IMPORT_API: "rest" }),
    );
    expect(message).toContain("--batch-size: must be at least 1");
    expect(message).toContain("--concurrency: expected a whole number");
    expect(message).toContain("--poll-timeout: expected a duration such as 90s");
    expect(message).toContain("AUTOPILOT_IMPORT_API: expected 'import' or 'upload'");
    expect(usageMessage(() => load(["a.csv", "--batch-size", "501"]))).toContain("--batch-size: must be at most 500");
    expect(usageMessage(() => load(["a.csv", "--cloud", "mars"]))).toMatch(/--cloud: expected one of public/);
    expect(usageMessage(() => load(["a.csv", "--graph-url", "ftp://x"]))).toMatch(/--graph-url: expected an https/);
    expect(usageMessage(() => load(["a.csv", "--log-level", "loud"]))).toMatch(/--log-level: expected one of fatal/);
  });

  it("requires at least one input and rejects unknown flags", () => {
    expect(usageMessage(() => load([]))).toMatch(/at least one CSV file/);
    expect(usageMessage(() => load(["a.csv", "--bogus"]))).toMatch(/unknown option '--bogus'/);
  });
});
