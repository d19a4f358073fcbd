import { ClientSecretCredential } from "@azure/identity";
import { afterEach, describe, expect, it } from "vitest";
import { startEmulator, type EmulatorHandle, type ScenarioInput } from "../../src/emulator/index.js";
import { GraphClient } from "../../src/graph/client.js";
import { DiagnosedCredential } from "../../src/graph/authority-probe.js";
import { createCredential } from "../../src/graph/credential.js";
import type { AutopilotDeviceIdentity, ImportedDeviceIdentity } from "../../src/graph/resources.js";

const REGISTERED = "/deviceManagement/windowsAutopilotDeviceIdentities";
const STAGED = "/deviceManagement/importedWindowsAutopilotDeviceIdentities";

let emulator: EmulatorHandle | undefined;
let client: GraphClient | undefined;

afterEach(async () => {
  client?.close();
  await emulator?.close();
  client = undefined;
  emulator = undefined;
});

async function connect(scenario: ScenarioInput, sleep?: (ms: number) => Promise<void>): Promise<GraphClient> {
  emulator = await startEmulator({ scenario });
  const credential = createCredential({
    tenantId: emulator.tenantId,
    clientId: emulator.clientId,
    clientSecret: emulator.clientSecret,
    authorityHost: emulator.authorityHost,
    caCertificate: emulator.caCertificate,
  });
  expect(credential instanceof DiagnosedCredential ? credential.inner : credential).toBeInstanceOf(ClientSecretCredential);
  client = new GraphClient({
    credential,
    graphUrl: emulator.graphUrl,
    caCertificate: emulator.caCertificate,
    ...(sleep ? { sleep: (ms: number) => sleep(ms) } : {}),
  });
  return client;
}

describe("against the emulator over HTTPS", () => {
  it("authenticates with ClientSecretCredential and lists registered devices across pages", async () => {
    const graph = await connect({
      throttling: { enabled: false },
      tenant: { registeredDevices: [1, 2, 3, 4, 5].map((n) => ({ serialNumber: `SN-${n}` })) },
      paging: { registeredPageSize: 2 },
    });
    const serials: string[] = [];
    let pages = 0;
    for await (const page of graph.pages<AutopilotDeviceIdentity>(REGISTERED)) {
      pages += 1;
      serials.push(...page.value.map((device) => device.serialNumber));
    }
    expect(serials.sort()).toEqual(["SN-1", "SN-2", "SN-3", "SN-4", "SN-5"]);
    expect(pages).toBe(3);
    expect(graph.tokenAcquisitions).toBe(1);
  });

  it("imports, is throttled with Retry-After, waits exactly that, and reads the records back in one $batch", async () => {
    const delays: number[] = [];
    const graph = await connect(
      { throttling: { enabled: true, writesPerWindow: 1 }, processing: { delayMs: 0, spreadMs: 0 } },
      // Waiting moves the emulated clock instead of the test's.
      async (ms) => {
        delays.push(ms);
        emulator!.clock.advance(ms);
      },
    );
    const staged: ImportedDeviceIdentity[] = [];
    for (const serial of ["EMU-1", "EMU-2"]) {
      const { body } = await graph.request<{ value: ImportedDeviceIdentity[] }>({
        method: "POST",
        path: `${STAGED}/import`,
        body: {
          importedWindowsAutopilotDeviceIdentities: [
            { serialNumber: serial, hardwareIdentifier: Buffer.from(`hash-${serial}`).toString("base64"), importId: "run-1" },
          ],
        },
      });
      staged.push(...body.value);
    }
    expect(delays.length).toBeGreaterThanOrEqual(1);
    expect(delays.every((ms) => ms > 0 && ms % 1000 === 0)).toBe(true);
    expect(graph.stats.throttled).toBe(delays.length);

    const results = await graph.batch<ImportedDeviceIdentity>(staged.map((record) => ({ method: "GET", path: `${STAGED}/${record.id}` })));
    expect(results.map((result) => (result.ok ? result.response.body.serialNumber : result.status))).toEqual(["EMU-1", "EMU-2"]);
    // The service's view agrees: every throttled answer was waited out, and each device was staged exactly once.
    const stats = emulator!.stats();
    expect(stats.throttled.total).toBe(delays.length);
    expect(stats.devices.stagedCreated).toBe(2);
  });
});
