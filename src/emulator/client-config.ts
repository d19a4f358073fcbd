import type { GraphConfig } from "../graph/create.js";
import type { EmulatorHandle } from "./index.js";

/** The Graph client settings that sign in to this emulator with its app and trust its certificate (demo, tests). */
export function emulatorGraphConfig(
  emulator: Pick<EmulatorHandle, "tenantId" | "clientId" | "clientSecret" | "authorityHost" | "graphUrl" | "caCertificate">,
): GraphConfig {
  return {
    method: "clientSecret",
    tenantId: emulator.tenantId,
    clientId: emulator.clientId,
    clientSecret: emulator.clientSecret,
    authorityHost: emulator.authorityHost,
    graphUrl: emulator.graphUrl,
    caCertificate: emulator.caCertificate,
  };
}

/** The environment a separate CLI process needs to sign in to this emulator and trust it (as a container gets it). */
export function emulatorEnv(
  emulator: Pick<EmulatorHandle, "tenantId" | "clientId" | "clientSecret" | "authorityHost" | "graphUrl" | "caCertPath">,
): Record<string, string> {
  return {
    AZURE_TENANT_ID: emulator.tenantId,
    AZURE_CLIENT_ID: emulator.clientId,
    AZURE_CLIENT_SECRET: emulator.clientSecret,
    AUTOPILOT_IMPORT_GRAPH_URL: emulator.graphUrl,
    AUTOPILOT_IMPORT_AUTHORITY_HOST: emulator.authorityHost,
    AUTOPILOT_IMPORT_CA_CERT: emulator.caCertPath,
  };
}
