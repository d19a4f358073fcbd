import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { z } from "zod";
import { UsageError } from "../../errors.js";
import { loadScenarioFile, startEmulator, type Scenario } from "../../emulator/index.js";
import type { CliContext, Command } from "../context.js";
import type { CommandOutcome } from "../exit-codes.js";
import { commandHelp } from "../options/help.js";
import { valueOption } from "../options/option.js";
import { parseOptions } from "../options/parse.js";
import { integerText } from "../options/values.js";

const emulatorOptions = {
  port: valueOption({ arg: "N", env: [], schema: integerText(0, 65535), default: 0, help: "port to listen on; 0 (default) picks a free one" }),
  host: valueOption({
    arg: "ADDRESS",
    env: [],
    schema: z.string().trim().min(1, "must not be empty"),
    default: "127.0.0.1",
    help: "address to listen on (default 127.0.0.1; the generated certificate covers 127.0.0.1, ::1 and localhost)",
  }),
  scenario: valueOption({
    arg: "FILE",
    env: [],
    schema: z.string().min(1),
    help: "JSON scenario: throttling, faults, processing delays and outcomes, sync rules, clock speed, identity... (see the README and fixtures/scenarios/*.json); missing fields take realistic defaults",
  }),
  cert: valueOption({ arg: "FILE", env: [], schema: z.string().min(1), help: "PEM certificate to serve instead of a generated self-signed one" }),
  key: valueOption({ arg: "FILE", env: [], schema: z.string().min(1), help: "PEM private key for --cert (both or neither)" }),
};

const help = commandHelp({
  about: `Usage: autopilot-import emulator [--port N] [--host ADDRESS] [--scenario FILE] [--cert FILE --key FILE]

Runs a local HTTPS stand-in for the parts of Microsoft Graph and Microsoft Entra ID this tool
uses, so a run can be rehearsed without a tenant. It serves:
  /{tenant}/v2.0/.well-known/openid-configuration and /{tenant}/oauth2/v2.0/token
      (client credentials; what @azure/identity's ClientSecretCredential expects)
  /v1.0 and /beta: deviceManagement/importedWindowsAutopilotDeviceIdentities (+ /import),
      importedWindowsAutopilotDeviceIdentityUploads (beta), windowsAutopilotDeviceIdentities
      (+ updateDeviceProperties, DELETE), managedDevices (GET, DELETE), windowsAutopilotSettings
      (+ sync, beta) and $batch
  /_emulator/stats (GET), /_emulator/reset (POST), /_emulator/scenario (GET, PATCH),
      /_emulator/clock (GET, POST {"advanceMs":N}): emulator-only, no token needed

When ready it prints exactly one JSON line on stdout:
  {"graphUrl","authorityHost","caCertPath","tenantId","clientId","clientSecret"}
(with a scenario's "tenants", also "tenants":[{"tenantId","clientId","clientSecret"},…]; each tenant
has its own token endpoint /{tenantId}/oauth2/v2.0/token, and Graph serves the tenant of the token)
and runs until interrupted (Ctrl+C / SIGTERM). Point a client at it with, for example:
  NODE_EXTRA_CA_CERTS=<caCertPath> AZURE_AUTHORITY_HOST=<authorityHost>
`,
  sections: [["Options", emulatorOptions]],
  after: `Exit codes:
  0    stopped by SIGINT/SIGTERM after a clean shutdown
  2    usage error, or the scenario file is unreadable or invalid
  2    also when the server cannot start (e.g. the port is in use)

Examples:
  autopilot-import emulator
  autopilot-import emulator --port 8443 --scenario fixtures/scenarios/stormy.json
`,
});

function usage(message: string): UsageError {
  return new UsageError(`emulator: ${message} (see 'autopilot-import emulator --help')`);
}

function parseEmulatorArgs(args: readonly string[], cwd: string) {
  const { values } = parseOptions(emulatorOptions, args, {}, { command: "emulator" });
  const { port, host, scenario, cert, key } = values;
  if ((cert === undefined) !== (key === undefined)) throw usage("--cert and --key go together");
  const absolute = (path: string | undefined): string | undefined => (path === undefined ? undefined : resolve(cwd, path));
  return { port, host, scenario: absolute(scenario), cert: absolute(cert), key: absolute(key) };
}

async function readPem(path: string, option: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    throw usage(`cannot read ${option} file '${path}': ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

function waitForAbort(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
}

async function run(args: readonly string[], context: CliContext): Promise<CommandOutcome> {
  const options = parseEmulatorArgs(args, context.cwd);
  const scenario: Scenario | undefined = options.scenario === undefined ? undefined : await loadScenarioFile(options.scenario);
  const cert = options.cert === undefined ? undefined : await readPem(options.cert, "--cert");
  const key = options.key === undefined ? undefined : await readPem(options.key, "--key");
  let emulator;
  try {
    emulator = await startEmulator({ port: options.port, host: options.host, scenario, cert, key });
  } catch (error) {
    // A port in use or not ours to bind is this machine's environment: one line, exit 2.
    throw new UsageError(`emulator: cannot start on ${options.host}:${options.port}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const ready = {
    graphUrl: emulator.graphUrl,
    authorityHost: emulator.authorityHost,
    caCertPath: emulator.caCertPath,
    tenantId: emulator.tenantId,
    clientId: emulator.clientId,
    clientSecret: emulator.clientSecret,
    // The scenario's other tenants (migrate's other side), each with its app: only when there are any.
    ...(emulator.tenants.length > 1 ? { tenants: emulator.tenants.slice(1).map(({ tenantId, clientId, clientSecret }) => ({ tenantId, clientId, clientSecret })) } : {}),
  };
  context.stdout.write(`${JSON.stringify(ready)}\n`);
  await waitForAbort(context.signal);
  await emulator.close();
  return { kind: "done" };
}

export const emulatorCommand: Command = {
  name: "emulator",
  summary: "run a local HTTPS emulator of the Graph and Entra ID endpoints this tool uses",
  help,
  options: emulatorOptions,
  run,
};
