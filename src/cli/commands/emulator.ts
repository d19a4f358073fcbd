import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { UsageError } from "../../errors.js";
import { loadScenarioFile, startEmulator, type Scenario } from "../../emulator/index.js";
import type { CliContext, Command } from "../context.js";
import { ExitCode } from "../exit-codes.js";

const help = `Usage: autopilot-import emulator [--port N] [--host ADDRESS] [--scenario FILE] [--cert FILE --key FILE]

Runs a local HTTPS stand-in for the parts of Microsoft Graph and Microsoft Entra ID this tool
uses, so a run can be rehearsed without a tenant. It serves:
  /{tenant}/v2.0/.well-known/openid-configuration and /{tenant}/oauth2/v2.0/token
      (client credentials; what @azure/identity's ClientSecretCredential expects)
  /v1.0 and /beta: deviceManagement/importedWindowsAutopilotDeviceIdentities (+ /import),
      importedWindowsAutopilotDeviceIdentityUploads (beta), windowsAutopilotDeviceIdentities
      (+ updateDeviceProperties), windowsAutopilotSettings (+ sync, beta) and $batch
  /_emulator/stats (GET), /_emulator/reset (POST), /_emulator/scenario (GET, PATCH),
      /_emulator/clock (GET, POST {"advanceMs":N}): emulator-only, no token needed

When ready it prints exactly one JSON line on stdout:
  {"graphUrl","authorityHost","caCertPath","tenantId","clientId","clientSecret"}
and runs until interrupted (Ctrl+C / SIGTERM). Point a client at it with, for example:
  NODE_EXTRA_CA_CERTS=<caCertPath> AZURE_AUTHORITY_HOST=<authorityHost>

Options:
  --port N          port to listen on; 0 (default) picks a free one
  --host ADDRESS    address to listen on (default 127.0.0.1; the generated
                    certificate covers 127.0.0.1, ::1 and localhost)
  --scenario FILE   JSON scenario: throttling, faults, processing delays and outcomes,
                    sync rules, clock speed, identity... (see the README and
                    fixtures/scenarios/*.json); missing fields take realistic defaults
  --cert FILE       PEM certificate to serve instead of a generated self-signed one
  --key FILE        PEM private key for --cert (both or neither)
  -h, --help        show this help

Exit codes:
  0    stopped by SIGINT/SIGTERM after a clean shutdown
  2    usage error, or the scenario file is unreadable or invalid
  3    the server could not start (e.g. the port is in use)

Examples:
  autopilot-import emulator
  autopilot-import emulator --port 8443 --scenario fixtures/scenarios/stormy.json
`;

interface EmulatorArgs {
  readonly port: number;
  readonly host: string;
  readonly scenario: string | undefined;
  readonly cert: string | undefined;
  readonly key: string | undefined;
}

function usage(message: string): UsageError {
  return new UsageError(`emulator: ${message} (see 'autopilot-import emulator --help')`);
}

function parseEmulatorArgs(args: readonly string[], cwd: string): EmulatorArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      options: {
        port: { type: "string" },
        host: { type: "string" },
        scenario: { type: "string" },
        cert: { type: "string" },
        key: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      allowPositionals: false,
      strict: true,
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const option = /'(-[^' ]+)/.exec(message)?.[1];
    const code = (error as { code?: string }).code;
    if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") throw usage(`unknown option '${option ?? "?"}'`);
    if (code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") throw usage("takes no arguments, only options");
    throw usage(option ? `${option} needs a value` : message);
  }
  const { port = "0", host = "127.0.0.1", scenario, cert, key } = parsed.values;
  if (!/^\d+$/.test(port) || Number(port) > 65535) throw usage(`--port must be an integer from 0 to 65535, got '${port}'`);
  if (host.trim() === "") throw usage("--host must not be empty");
  if ((cert === undefined) !== (key === undefined)) throw usage("--cert and --key go together");
  const absolute = (path: string | undefined): string | undefined => (path === undefined ? undefined : resolve(cwd, path));
  return { port: Number(port), host, scenario: absolute(scenario), cert: absolute(cert), key: absolute(key) };
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

async function run(args: readonly string[], context: CliContext): Promise<number> {
  const options = parseEmulatorArgs(args, context.cwd);
  const scenario: Scenario | undefined = options.scenario === undefined ? undefined : await loadScenarioFile(options.scenario);
  const cert = options.cert === undefined ? undefined : await readPem(options.cert, "--cert");
  const key = options.key === undefined ? undefined : await readPem(options.key, "--key");
  let emulator;
  try {
    emulator = await startEmulator({ port: options.port, host: options.host, scenario, cert, key });
  } catch (error) {
    context.stderr.write(`autopilot-import: emulator: cannot start on ${options.host}:${options.port}: ${error instanceof Error ? error.message : String(error)}\n`);
    return ExitCode.authOrService;
  }
  const ready = {
    graphUrl: emulator.graphUrl,
    authorityHost: emulator.authorityHost,
    caCertPath: emulator.caCertPath,
    tenantId: emulator.tenantId,
    clientId: emulator.clientId,
    clientSecret: emulator.clientSecret,
  };
  context.stdout.write(`${JSON.stringify(ready)}\n`);
  await waitForAbort(context.signal);
  await emulator.close();
  return ExitCode.ok;
}

export const emulatorCommand: Command = {
  name: "emulator",
  summary: "run a local HTTPS emulator of the Graph and Entra ID endpoints this tool uses",
  help,
  run,
};
