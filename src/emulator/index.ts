import { createServer, type Server } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import type { AutopilotDeviceIdentity, ImportedDeviceIdentity } from "../graph/resources.js";
import { EmulatorCore } from "./core.js";
import type { ObservedGraphRequest } from "./graph-call.js";
import type { DirectorySnapshot } from "./directory.js";
import { parseScenario, type RegisteredDeviceInput, type Scenario, type ScenarioInput } from "./scenario.js";
import { createListener, type Delays } from "./server.js";
import type { EmulatorStats } from "./stats.js";
import { createLoopbackCertificate, writeCaFile } from "./tls.js";

export { emulatorEnv, emulatorGraphConfig } from "./client-config.js";
export { loadScenarioFile } from "./scenario-file.js";
export { ScenarioError, parseScenario, scenarioSchema } from "./scenario.js";
export type { RegisteredDeviceInput, Scenario, ScenarioInput } from "./scenario.js";
export type { EmulatorStats, FaultRecord } from "./stats.js";
export type { ObservedGraphRequest } from "./graph-call.js";
export type { DirectorySnapshot } from "./directory.js";

export interface StartEmulatorOptions {
  /** 0 (default) picks a free port. */
  readonly port?: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** A (partial) scenario; defaults fill the rest. */
  readonly scenario?: ScenarioInput;
  /** PEM certificate and key to serve instead of a generated self-signed pair (both or neither). */
  readonly cert?: string;
  readonly key?: string;
  /** Called with every Graph request once its JSON body is parsed, each $batch item included (for tests). */
  readonly onGraphRequest?: (request: ObservedGraphRequest) => void;
}

/** One tenant of the emulator: its app, its data and its counters (the clock is the emulator's). */
export interface TenantHandle {
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  stats(): EmulatorStats;
  /** Deep-merges a partial scenario over this tenant's alone (the emulator's setScenario reaches every tenant). */
  setScenario(patch: ScenarioInput): Scenario;
  /** Registers devices directly in this tenant (806 on import here, 808 in the other tenants). */
  registerDevices(devices: readonly RegisteredDeviceInput[]): AutopilotDeviceIdentity[];
  /** A valid bearer token of this tenant without the OAuth round trip. */
  issueToken(): { token: string; expiresOn: Date };
  devices(): { staged: ImportedDeviceIdentity[]; registered: AutopilotDeviceIdentity[] };
}

function tenantHandle(core: EmulatorCore): TenantHandle {
  return {
    get tenantId() {
      return core.identity.tenantId;
    },
    get clientId() {
      return core.identity.clientId;
    },
    get clientSecret() {
      return core.identity.clientSecret;
    },
    stats: () => core.snapshot(),
    setScenario: (patch) => core.setScenario(patch),
    registerDevices: (devices) => core.registerDevices(devices),
    issueToken: () => core.issueToken(),
    devices: () => core.devices(),
  };
}

/** What a running emulator exposes to its caller. */
export interface EmulatorHandle {
  /** Graph root: append /v1.0/… or /beta/…. */
  readonly graphUrl: string;
  /** For @azure/identity's `authorityHost` (with `disableInstanceDiscovery: true`). */
  readonly authorityHost: string;
  /** PEM of the certificate clients must trust. */
  readonly caCertificate: string;
  /** The same PEM in a file, for NODE_EXTRA_CA_CERTS; deleted by close(). */
  readonly caCertPath: string;
  readonly port: number;
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** The scenario in force (defaults filled). */
  readonly scenario: Scenario;
  /** Deep-merges a partial scenario over the current one, effective immediately; throws ScenarioError. */
  setScenario(patch: ScenarioInput): Scenario;
  /** The emulated clock: `advance` jumps forward and runs everything that fell due. */
  readonly clock: { now(): Date; advance(ms: number): void; readonly speed: number };
  stats(): EmulatorStats;
  /** Empties the tenant and the counters; keeps identity, tokens, scenario and time. */
  reset(): void;
  /** Registers devices directly (they then cause 806 on import). */
  registerDevices(devices: readonly RegisteredDeviceInput[]): AutopilotDeviceIdentity[];
  /** A valid bearer token without the OAuth round trip. */
  issueToken(): { token: string; expiresOn: Date };
  /** Every staged and registered device, in creation order. */
  devices(): { staged: ImportedDeviceIdentity[]; registered: AutopilotDeviceIdentity[] };
  /** Entra ID's groups with their members (by serial) and the member writes accepted. */
  directory(): DirectorySnapshot;
  /** Staged records still waiting for background processing. */
  readonly backlog: number;
  /** Every tenant: the scenario's `tenant` first, then its `tenants` (one clock for all). */
  readonly tenants: readonly TenantHandle[];
  /** The tenant with this id; throws when the emulator holds none. */
  tenant(tenantId: string): TenantHandle;
  /** Ends every socket and timer; resolves when the port is free. */
  close(): Promise<void>;
}

function originFor(host: string, port: number): string {
  const shown = host === "0.0.0.0" ? "127.0.0.1" : host === "::" ? "::1" : host;
  return `https://${shown.includes(":") ? `[${shown}]` : shown}:${port}`;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once("error", onError);
    server.listen(port, host, () => {
      server.off("error", onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Starts the Graph + Entra ID emulator over HTTPS. */
export async function startEmulator(options: StartEmulatorOptions = {}): Promise<EmulatorHandle> {
  if ((options.cert === undefined) !== (options.key === undefined)) throw new TypeError("startEmulator: give both cert and key, or neither");
  const scenario = parseScenario(options.scenario ?? {});
  const host = options.host ?? "127.0.0.1";
  const pair = options.cert !== undefined && options.key !== undefined ? { cert: options.cert, key: options.key } : await createLoopbackCertificate();
  const core = new EmulatorCore(scenario);
  const timers = new Set<NodeJS.Timeout>();
  const waiting = new Set<() => void>();
  let closed = false;
  const delays: Delays = {
    get closed() {
      return closed;
    },
    wait: (ms) =>
      new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          timers.delete(timer);
          waiting.delete(done);
          resolve();
        };
        const timer = setTimeout(done, ms);
        timers.add(timer);
        waiting.add(done);
      }),
  };
  const server = createServer({ cert: pair.cert, key: pair.key, keepAlive: true, noDelay: true }, createListener(core, delays));
  const sockets = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  // A client that drops mid-handshake must not crash the process.
  server.on("tlsClientError", () => undefined);
  const port = await listen(server, options.port ?? 0, host).catch((error: unknown) => {
    core.close();
    throw error;
  });
  for (const tenant of core.tenants()) {
    tenant.origin = originFor(host, port);
    tenant.onGraphRequest = options.onGraphRequest;
  }
  const tenants = core.tenants().map(tenantHandle);
  const ca = await writeCaFile(pair.cert);
  let closing: Promise<void> | undefined;

  return {
    graphUrl: core.origin,
    authorityHost: core.origin,
    caCertificate: pair.cert,
    caCertPath: ca.path,
    port,
    get tenantId() {
      return core.identity.tenantId;
    },
    get clientId() {
      return core.identity.clientId;
    },
    get clientSecret() {
      return core.identity.clientSecret;
    },
    get scenario() {
      return core.scenario();
    },
    setScenario: (patch) => core.setScenario(patch),
    clock: {
      now: () => new Date(core.clock.now()),
      advance: (ms) => core.clock.advance(ms),
      get speed() {
        return core.clock.speed;
      },
    },
    stats: () => core.snapshot(),
    reset: () => core.reset(),
    registerDevices: (devices) => core.registerDevices(devices),
    issueToken: () => core.issueToken(),
    devices: () => core.devices(),
    directory: () => core.directory.snapshot(),
    get backlog() {
      return core.tenants().reduce((sum, tenant) => sum + tenant.worker.backlog, 0);
    },
    tenants,
    tenant: (tenantId) => {
      const found = tenants.find((tenant) => tenant.tenantId.toLowerCase() === tenantId.toLowerCase());
      if (!found) throw new RangeError(`no tenant ${tenantId} in this emulator`);
      return found;
    },
    close: () => {
      closing ??= (async () => {
        closed = true;
        for (const done of [...waiting]) done();
        core.close();
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
        await stopped;
        await ca.remove();
      })();
      return closing;
    },
  };
}
