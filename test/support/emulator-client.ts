/** A raw HTTPS client for the emulator's Graph and identity endpoints: each test starts its own emulator, closed after it. */
import https from "node:https";
import { afterEach } from "vitest";
import { startEmulator, type EmulatorHandle, type ScenarioInput } from "../../src/emulator/index.js";

/** Scenarios for tests: no throttling, instant processing unless a test asks otherwise. */
export const QUIET: ScenarioInput = {
  throttling: { enabled: false },
  processing: { delayMs: 1000, spreadMs: 0 },
};

export interface Reply<T = unknown> {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: T;
  readonly text: string;
}

export interface TestClient {
  readonly emulator: EmulatorHandle;
  readonly agent: https.Agent;
  readonly token: string;
  /** A request against the emulator; `path` is absolute ("/v1.0/…") or a full URL (nextLink). */
  request<T = unknown>(
    method: string,
    path: string,
    options?: { body?: unknown; rawBody?: string; token?: string | null; headers?: Record<string, string> },
  ): Promise<Reply<T>>;
}

const open = new Set<{ emulator: EmulatorHandle; agent: https.Agent }>();

afterEach(async () => {
  for (const entry of [...open]) {
    entry.agent.destroy();
    await entry.emulator.close();
    open.delete(entry);
  }
});

/** Starts an emulator (closed after the test) and a keep-alive client that trusts its CA. */
export async function startClient(scenario: ScenarioInput = QUIET): Promise<TestClient> {
  const emulator = await startEmulator({ scenario });
  const agent = new https.Agent({ ca: emulator.caCertificate, keepAlive: true });
  open.add({ emulator, agent });
  const token = emulator.issueToken().token;
  return {
    emulator,
    agent,
    token,
    request: (method, path, options = {}) => {
      const url = path.startsWith("https://") ? path : `${emulator.graphUrl}${path}`;
      const headers: Record<string, string> = { ...options.headers };
      const bearer = options.token === undefined ? token : options.token;
      if (bearer !== null) headers["authorization"] = `Bearer ${bearer}`;
      const payload = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
      if (payload !== undefined) headers["content-type"] ??= "application/json";
      return rawRequest(agent, method, url, headers, payload);
    },
  };
}

export function rawRequest<T>(
  agent: https.Agent,
  method: string,
  url: string,
  headers: Record<string, string>,
  payload?: string,
): Promise<Reply<T>> {
  return new Promise((resolve, reject) => {
    const request = https.request(url, { method, agent, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let body: unknown = undefined;
        if (text !== "") body = JSON.parse(text);
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: body as T, text });
      });
      response.on("error", reject);
    });
    request.on("error", reject);
    request.end(payload);
  });
}

let serial = 0;

/** A padded base64 hash unique to the call. */
export function hash(seed = `${Date.now()}-${serial++}`): string {
  return Buffer.from(`hardware-hash:${seed}`.padEnd(48, "."), "utf8").toString("base64");
}

export function device(serialNumber: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { serialNumber, hardwareIdentifier: hash(serialNumber), ...extra };
}

export const STAGED = "/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities";
export const REGISTERED = "/v1.0/deviceManagement/windowsAutopilotDeviceIdentities";
export const UPLOADS = "/beta/deviceManagement/importedWindowsAutopilotDeviceIdentityUploads";
export const SETTINGS = "/beta/deviceManagement/windowsAutopilotSettings";

export interface GraphErrorShape {
  readonly error: { readonly code: string; readonly message: string; readonly innerError: Record<string, string> };
}

export interface Staged {
  readonly id: string;
  readonly serialNumber: string;
  readonly importId: string | null;
  readonly state: { deviceImportStatus: string; deviceRegistrationId: string | null; deviceErrorCode: number; deviceErrorName: string | null };
}

export interface Page<T> {
  readonly value: T[];
  readonly "@odata.nextLink"?: string;
}
