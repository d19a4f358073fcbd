import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { BIN, firstLine, runCli, startCli, startNode, type RunningCli } from "../../support/cli-process.js";

interface Ready {
  readonly graphUrl: string;
  readonly authorityHost: string;
  readonly caCertPath: string;
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: string;
}

const children = new Set<ChildProcessWithoutNullStreams>();

afterEach(() => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  children.clear();
});

/** Killed after each test if still running. */
function track(running: RunningCli): RunningCli {
  children.add(running.child);
  return running;
}

/** A separate process using the real credential, trusting the CA only through NODE_EXTRA_CA_CERTS. */
const CLIENT_SCRIPT = `
import { ClientSecretCredential } from "@azure/identity";
const { tenantId, clientId, clientSecret, graphUrl } = JSON.parse(process.env.READY);
const credential = new ClientSecretCredential(tenantId, clientId, clientSecret, { disableInstanceDiscovery: true });
const { token } = await credential.getToken("https://graph.microsoft.com/.default");
const response = await fetch(graphUrl + "/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities/import", {
  method: "POST",
  headers: { authorization: "Bearer " + token, "content-type": "application/json" },
  body: JSON.stringify({ importedWindowsAutopilotDeviceIdentities: [{ serialNumber: "CLI-1", hardwareIdentifier: "AAAA" }] }),
});
const body = await response.json();
console.log(JSON.stringify({ status: response.status, serial: body.value[0].serialNumber }));
`;

describe("autopilot-import emulator (child process)", () => {
  beforeAll(() => {
    if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run 'npm run build' first (npm test does)`);
  });

  it("prints one JSON line, serves a real client trusting NODE_EXTRA_CA_CERTS, and exits 0 on SIGTERM", async () => {
    const emulator = track(startCli(["emulator", "--port", "0"]));
    const line = await firstLine(emulator.child);
    const ready = JSON.parse(line) as Ready;
    expect(Object.keys(ready)).toEqual(["graphUrl", "authorityHost", "caCertPath", "tenantId", "clientId", "clientSecret"]);
    expect(ready.graphUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(existsSync(ready.caCertPath)).toBe(true);

    const client = track(
      startNode(["--input-type=module", "-e", CLIENT_SCRIPT], {
        env: { READY: JSON.stringify(ready), NODE_EXTRA_CA_CERTS: ready.caCertPath, AZURE_AUTHORITY_HOST: ready.authorityHost },
      }),
    );
    const result = await client.result;
    expect(result.stderr).toBe("");
    expect(JSON.parse(result.stdout)).toEqual({ status: 200, serial: "CLI-1" });

    emulator.child.kill("SIGTERM");
    const outcome = await emulator.result;
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toBe(`${line}\n`); // nothing after the ready line
    expect(existsSync(ready.caCertPath)).toBe(false);
  });

  it("with a scenario's tenants, prints each one's app, and each signs in at its own token endpoint", async () => {
    const dir = await mkdtemp(join(tmpdir(), "emulator-cli-"));
    try {
      const file = join(dir, "two.json");
      await writeFile(file, JSON.stringify({ tenants: [{ tenantId: "b0b0b0b0-1111-4222-8333-444455556666" }] }));
      const emulator = track(startCli(["emulator", "--scenario", file]));
      const ready = JSON.parse(await firstLine(emulator.child)) as Ready & { tenants: Array<Pick<Ready, "tenantId" | "clientId" | "clientSecret">> };
      expect(ready.tenants).toEqual([{ tenantId: "b0b0b0b0-1111-4222-8333-444455556666", clientId: expect.any(String), clientSecret: expect.any(String) }]);
      expect(ready.tenants[0]!.clientSecret).not.toBe(ready.clientSecret);
      const other = { ...ready, ...ready.tenants[0]! };
      const client = track(
        startNode(["--input-type=module", "-e", CLIENT_SCRIPT], { env: { READY: JSON.stringify(other), NODE_EXTRA_CA_CERTS: ready.caCertPath, AZURE_AUTHORITY_HOST: ready.authorityHost } }),
      );
      const result = await client.result;
      expect(result.stderr).toBe("");
      expect(JSON.parse(result.stdout)).toEqual({ status: 200, serial: "CLI-1" });
      emulator.child.kill("SIGTERM");
      expect((await emulator.result).code).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("exits 2 with a readable message on a bad scenario file or option", async () => {
    const dir = await mkdtemp(join(tmpdir(), "emulator-cli-"));
    try {
      const file = join(dir, "bad.json");
      await writeFile(file, JSON.stringify({ throttling: { writesPerWindow: "many" } }));
      const bad = await runCli(["emulator", "--scenario", file]);
      expect(bad.code).toBe(2);
      expect(bad.stdout).toBe("");
      expect(bad.stderr).toContain("throttling.writesPerWindow");
      const port = await runCli(["emulator", "--port", "http"]);
      expect(port.code).toBe(2);
      expect(port.stderr).toContain("--port");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("--help documents the options", async () => {
    const help = await runCli(["emulator", "--help"]);
    expect(help.code).toBe(0);
    for (const option of ["--port", "--host", "--scenario", "--cert", "--key", "/_emulator/stats"]) expect(help.stdout).toContain(option);
  });
});
