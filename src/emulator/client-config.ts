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
