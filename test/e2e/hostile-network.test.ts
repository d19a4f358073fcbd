/**
 * A hostile network, with the built CLI against the emulator (`npm run build` first): a token endpoint that answers
 * 503 or resets, a certificate for another host name, a CA given both in NODE_EXTRA_CA_CERTS and with --ca-cert.
 */
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import tls from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type EmulatorHandle } from "../../src/emulator/index.js";
import { createLoopbackCertificate, type CertificateNames } from "../../src/emulator/tls.js";
import { BIN, runCli, startCli, type CliResult, type RunningCli } from "../support/cli-process.js";
import { devicesNamed, makeHash, readCsvReport, writeCsv } from "../support/device-csv.js";
import { FAST_POLL } from "../support/emulator-harness.js";
import { importDevices } from "../../src/pipeline/import-devices.js";
import type { RowResult } from "../../src/model/device.js";
import { startHarness } from "./harness.js";

const TOKEN_ROUTE = "POST /{tenant}/oauth2/v2.0/token";

/** A TLS front for the emulator with a certificate of its own (another CA, or another host name): bytes relayed as they are. */
async function startTlsRelay(emulator: EmulatorHandle, names: CertificateNames): Promise<{ url: string; caPath: string; close: () => Promise<void> }> {
  const pair = await createLoopbackCertificate(Date.now(), { ...names, commonName: "autopilot-import test relay" });
  const server = tls.createServer({ cert: pair.cert, key: pair.key }, (front) => {
    const back = tls.connect({ host: "127.0.0.1", port: emulator.port, ca: emulator.caCertificate, servername: "localhost" });
    front.pipe(back).pipe(front);
    front.on("error", () => back.destroy());
    back.on("error", () => front.destroy());
  });
  server.on("tlsClientError", () => undefined);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const dir = mkdtempSync(path.join(tmpdir(), "autopilot-relay-"));
  const caPath = path.join(dir, "relay-ca.pem");
  writeFileSync(caPath, pair.cert);
  const { port } = server.address() as AddressInfo;
  return { url: `https://127.0.0.1:${port}`, caPath, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** One line on stderr, no "[object Object]", no secret anywhere. */
function expectOneClearLine(result: CliResult, secret: string, pattern: RegExp): void {
  const lines = result.stderr.trim().split("\n");
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(result.stderr + result.stdout).not.toContain("[object Object]");
  expect(result.stderr + result.stdout).not.toContain(secret);
}

describe("a hostile network", () => {
  let emulator: EmulatorHandle;
  let dir: string;
  let env: Record<string, string>;
  let serial = 0;
  beforeAll(async () => {
    expect(existsSync(BIN), "run `npm run build` before the CLI tests").toBe(true);
    emulator = await startEmulator({ scenario: { clock: { speed: 50 }, throttling: { enabled: false }, processing: { delayMs: 500, spreadMs: 200 } } });
    dir = mkdtempSync(path.join(tmpdir(), "autopilot-import-network-"));
    env = { AZURE_TENANT_ID: emulator.tenantId, AZURE_CLIENT_ID: emulator.clientId, AZURE_CLIENT_SECRET: emulator.clientSecret };
  });
  afterAll(() => emulator?.close());

  /** A fresh input of `count` devices and its own state directory. */
  function input(count = 2): { file: string; stateArgs: string[] } {
    serial += 1;
    const name = `net-${serial}`;
    return { file: writeCsv(dir, `${name}.csv`, devicesNamed(`NET${serial}-`, count)), stateArgs: ["--state-dir", path.join(dir, `${name}-state`), "--report", path.join(dir, `${name}-report.csv`)] };
  }

  const connection = (): string[] => ["--graph-url", emulator.graphUrl, "--authority-host", emulator.authorityHost, "--ca-cert", emulator.caCertPath, "--no-sync"];

  describe("the token endpoint", () => {
    it.each([["503 without Retry-After", "503"], ["connection resets", "reset"]] as const)("rides out a short outage (%s): exit 0", async (_name, kind) => {
      const before = emulator.stats().requests.byRoute[TOKEN_ROUTE] ?? {};
      emulator.setScenario({ faults: { tokenOutage: { requests: 2, kind } } });
      const { file, stateArgs } = input();
      const result = await runCli(["import", file, ...connection(), ...stateArgs], { cwd: dir, env });
      expect(result.code, result.stderr).toBe(0);
      const after = emulator.stats().requests.byRoute[TOKEN_ROUTE] ?? {};
      const faultKey = kind === "reset" ? "reset" : "503";
      expect((after[faultKey] ?? 0) - (before[faultKey] ?? 0)).toBe(2);
    }, 30_000);

    it("gives up on a lasting outage (503 with Retry-After) with one line naming the status and the service's words, exit 3", async () => {
      emulator.setScenario({ faults: { tokenOutage: { requests: 1_000, kind: "503-retry-after" }, status503RetryAfter: { retryAfterSeconds: 0 } } });
      try {
        const { file, stateArgs } = input();
        const result = await runCli(["import", file, ...connection(), ...stateArgs], { cwd: dir, env });
        expect(result.code, result.stderr).toBe(3);
        expectOneClearLine(result, emulator.clientSecret, /authentication failed: the login host 127\.0\.0\.1:\d+ answered 503 Service Unavailable to 21 attempts in [\d.]+ s: The service is temporarily unavailable/);
      } finally {
        emulator.setScenario({ faults: { tokenOutage: { requests: 0 } } });
      }
    }, 30_000);
  });

  describe("TLS", () => {
    it("says the certificate does not name the login host (not an untrusted CA), exit 3", async () => {
      const relay = await startTlsRelay(emulator, { dns: ["login.example.test"] });
      try {
        const { file, stateArgs } = input();
        const args = ["import", file, "--graph-url", emulator.graphUrl, "--authority-host", relay.url, "--ca-cert", relay.caPath, "--no-sync", ...stateArgs];
        const result = await runCli(args, { cwd: dir, env: { ...env, NODE_EXTRA_CA_CERTS: emulator.caCertPath } });
        expect(result.code, result.stderr).toBe(3);
        expectOneClearLine(result, emulator.clientSecret, /ERR_TLS_CERT_ALTNAME_INVALID.*not issued for the host name 127\.0\.0\.1:\d+: check the host in --authority-host/);
        expect(result.stderr).not.toMatch(/not trusted/);
      } finally {
        await relay.close();
      }
    }, 30_000);

    it("says the certificate does not name the Graph host, exit 3", async () => {
      const relay = await startTlsRelay(emulator, { dns: ["graph.example.test"] });
      // The token's scope is the Graph URL given: let the emulator issue one for the relay's.
      emulator.setScenario({ auth: { acceptedResources: [...emulator.scenario.auth.acceptedResources, relay.url] } });
      try {
        const { file, stateArgs } = input();
        const args = ["import", file, "--graph-url", relay.url, "--authority-host", emulator.authorityHost, "--ca-cert", relay.caPath, "--no-sync", ...stateArgs];
        const result = await runCli(args, { cwd: dir, env: { ...env, NODE_EXTRA_CA_CERTS: emulator.caCertPath } });
        expect(result.code, result.stderr).toBe(3);
        expect(result.stderr).toMatch(/ERR_TLS_CERT_ALTNAME_INVALID \(the server certificate is not issued for the host name 127\.0\.0\.1:\d+: check the host in --graph-url/);
        expect(result.stderr).not.toMatch(/not trusted/);
      } finally {
        await relay.close();
      }
    }, 60_000);

    it("trusts the CA of NODE_EXTRA_CA_CERTS and the one of --ca-cert together: exit 0", async () => {
      // Graph comes through the relay (its CA only in NODE_EXTRA_CA_CERTS); the login host is the emulator's (its CA
      // only with --ca-cert).
      const relay = await startTlsRelay(emulator, { ips: ["127.0.0.1"] });
      emulator.setScenario({ auth: { acceptedResources: [...emulator.scenario.auth.acceptedResources, relay.url] } });
      try {
        const { file, stateArgs } = input(3);
        const args = ["import", file, "--graph-url", relay.url, "--authority-host", emulator.authorityHost, "--ca-cert", emulator.caCertPath, "--no-sync", ...stateArgs];
        const result = await runCli(args, { cwd: dir, env: { ...env, NODE_EXTRA_CA_CERTS: relay.caPath } });
        expect(result.code, result.stderr).toBe(0);
      } finally {
        await relay.close();
      }
    }, 30_000);
  });

  describe("--api upload", () => {
    it("a run killed right after creating an upload, then resumed, leaves no empty upload resource", async () => {
      let running: RunningCli | undefined;
      let killed = false;
      const uploads = await startEmulator({
        scenario: { clock: { speed: 50 }, throttling: { enabled: false }, processing: { delayMs: 500, spreadMs: 200 } },
        // The upload is created; its import is the moment to die: the import never reaches the service.
        onGraphRequest: (request) => {
          if (killed || request.method !== "POST" || !request.path.endsWith("/deviceIdentities/import")) return;
          killed = true;
          running?.child.kill("SIGKILL");
          throw new Error("the client was killed before this import arrived");
        },
      });
      try {
        const devices = devicesNamed("UPLOAD-", 3);
        const file = writeCsv(dir, "uploads.csv", devices);
        const uploadEnv = { AZURE_TENANT_ID: uploads.tenantId, AZURE_CLIENT_ID: uploads.clientId, AZURE_CLIENT_SECRET: uploads.clientSecret };
        const args = ["import", file, "--api", "upload", "--graph-url", uploads.graphUrl, "--authority-host", uploads.authorityHost, "--ca-cert", uploads.caCertPath, "--no-sync"];
        const stateArgs = ["--state-dir", path.join(dir, "uploads-state"), "--report", path.join(dir, "uploads-report.csv")];
        running = startCli([...args, ...stateArgs], { cwd: dir, env: uploadEnv });
        const first = await running.result;
        expect(first.signal, first.stderr).toBe("SIGKILL");
        expect(uploads.stats().uploads.byStatus.noUpload).toBe(1);

        const resumed = await runCli([...args, ...stateArgs], { cwd: dir, env: uploadEnv });
        expect(resumed.code, resumed.stderr).toBe(0);
        const stats = uploads.stats();
        expect(stats.uploads.byStatus.noUpload).toBe(0);
        expect(stats.uploads.deleted).toBeGreaterThanOrEqual(1);
        expect(stats.submissions.serialsSubmittedMoreThanOnce).toEqual([]);
        expect(uploads.devices().registered.map((device) => device.serialNumber).sort()).toEqual(devices.map((device) => device.serial).sort());
      } finally {
        await uploads.close();
      }
    }, 60_000);
  
    it("deletes the upload a refused part was given, at the end of its upload", async () => {
      // Too large together (413): each device goes into an upload of its own; the second, which the service cannot
      // decode (400), leaves its new upload empty.
      const h = await startHarness({ clock: { speed: 20 }, throttling: { enabled: false }, processing: { delayMs: 1000, spreadMs: 500 }, limits: { maxBodyBytes: 4300 } });
      try {
        const rows: RowResult[] = [makeHash(3000), makeHash(3000).slice(0, 101)].map((hardwareIdentifier, i) => ({
          status: "valid",
          location: { file: "api", line: i + 1 },
          device: { serialNumber: `SPARE${i}`, hardwareIdentifier },
        }));
        const summary = await importDevices({
          rows: (async function* () {
            yield* rows;
          })(),
          client: h.client,
          api: "upload",
          limiter: h.limiter,
          batchSize: 2,
          pollPolicy: FAST_POLL,
        });
        expect(summary).toMatchObject({ rows: 2, imported: 1, failed: 1 });
        const stats = h.emulator.stats();
        expect(stats.uploads.created).toBeGreaterThan(1);
        expect(stats.uploads.byStatus.noUpload).toBe(0);
      } finally {
        await h.close();
      }
    }, 60_000);
  });

  describe("another import of the same input", () => {
    it("warns once, with what to do, when another state directory's run already staged the devices", async () => {
      const devices = devicesNamed("TWICE-", 3);
      const file = writeCsv(dir, "twice.csv", devices);
      const run = (name: string, extra: string[] = []): Promise<CliResult> =>
        runCli(["import", file, ...connection(), "--state-dir", path.join(dir, `${name}-state`), "--report", path.join(dir, `${name}-report.csv`), ...extra], { cwd: dir, env });
      // The first run keeps its staged records (as a concurrent run's, or an interrupted one's, are still there).
      const first = await run("twice-a", ["--no-cleanup"]);
      expect(first.code, first.stderr).toBe(0);
      expect(first.stderr).not.toMatch(/already staged by another import/);
      const second = await run("twice-b");
      expect(second.code, second.stderr).toBe(0);
      const warnings = second.stderr.split("\n").filter((line) => line.includes("already staged by another import"));
      expect(warnings, second.stderr).toHaveLength(1);
      expect(warnings[0]).toMatch(/3 device\(s\) about to be submitted are already staged by another import.*resume an interrupted run with the same command/);
      // Submitted again, and each row has one outcome: Graph refuses the second registration (806).
      const report = readCsvReport(path.join(dir, "twice-b-report.csv"));
      expect(report.map((row) => row.status)).toEqual(["already_registered", "already_registered", "already_registered"]);
      expect(emulator.devices().registered.filter((device) => device.serialNumber.startsWith("TWICE-"))).toHaveLength(3);
    }, 60_000);
  });
});
