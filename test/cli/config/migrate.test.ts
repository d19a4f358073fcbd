/** migrate's configuration: both tenants required and different, one file, each side's app and secret, and the halves' words. */
import { describe, expect, it } from "vitest";
import { loadMigrateConfig, sideEnv } from "../../../src/cli/config/migrate.js";
import { halfEnv, joinArgs, leaveArgs } from "../../../src/migrate/halves.js";
import { usageMessage } from "../../support/usage-error.js";

const A = "aaaaaaaa-0000-4000-8000-00000000000a";
const B = "bbbbbbbb-0000-4000-8000-00000000000b";

describe("migrate configuration", () => {
  it("refuses what cannot be a migration, in one line each", () => {
    const load = (args: string[]) => () => loadMigrateConfig(args, {}, "/work");
    expect(usageMessage(load(["f.csv", "--from-tenant", A]))).toMatch(/give both --from-tenant and --to-tenant/);
    expect(usageMessage(load(["f.csv", "--from-tenant", A, "--to-tenant", A.toUpperCase()]))).toMatch(/the same tenant/);
    expect(usageMessage(load(["--from-tenant", A, "--to-tenant", B]))).toMatch(/give one file with hashes/);
    expect(usageMessage(load(["a.csv", "b.csv", "--from-tenant", A, "--to-tenant", B]))).toMatch(/give one file with hashes/);
    expect(usageMessage(load(["-", "--from-tenant", A, "--to-tenant", B]))).toMatch(/standard input cannot be migrated/);
    expect(usageMessage(load(["f.csv", "--from-tenant", A, "--to-tenant", B, "--tenant", A]))).toMatch(/tenant/);
  });

  it("gives each side its own secret in the common variable's place, falling back to the common one", () => {
    const env = { AZURE_CLIENT_SECRET: "common", AUTOPILOT_IMPORT_FROM_CLIENT_SECRET: "from-secret", AUTOPILOT_IMPORT_TO_CLIENT_SECRET_FILE: "/run/to-secret" };
    expect(sideEnv(env, "from")).toEqual({ AZURE_CLIENT_SECRET: "from-secret" });
    expect(sideEnv(env, "to")).toEqual({ AZURE_CLIENT_SECRET_FILE: "/run/to-secret" });
    expect(sideEnv({ AZURE_CLIENT_SECRET: "common", AZURE_CLIENT_ID: "app" }, "to")).toEqual({ AZURE_CLIENT_SECRET: "common", AZURE_CLIENT_ID: "app" });
    const config = loadMigrateConfig(["f.csv", "--from-tenant", A, "--to-tenant", B, "--from-client-id", "app-a", "--yes"], env, "/work");
    expect(config.from).toMatchObject({ tenant: A, clientId: "app-a" });
    expect(config.to).toMatchObject({ tenant: B, clientId: undefined });
    expect(config.yes).toBe(true);
  });

  it("takes both tenants and both apps from their variables, for a container's settings; flags win", () => {
    const env = { AUTOPILOT_IMPORT_FROM_TENANT: A, AUTOPILOT_IMPORT_TO_TENANT: B, AUTOPILOT_IMPORT_FROM_CLIENT_ID: "app-a", AUTOPILOT_IMPORT_TO_CLIENT_ID: "app-b" };
    const config = loadMigrateConfig(["f.csv", "--yes"], env, "/work");
    expect(config.from).toMatchObject({ tenant: A, clientId: "app-a" });
    expect(config.to).toMatchObject({ tenant: B, clientId: "app-b" });
    expect(loadMigrateConfig(["f.csv", "--to-client-id", "flag-b"], env, "/work").to).toMatchObject({ tenant: B, clientId: "flag-b" });
  });

  it("builds the halves' words: the side's tenant and app, the migration's files and state, the carried flags", () => {
    const flags = { deadlineMs: 90_500, yes: true, deleteIntuneRecord: true, forceUnlock: false };
    expect(leaveArgs({ tenant: A, clientId: "app-a" }, flags, { moving: "m.csv", report: "l.jsonl", stateDir: "s" }, ["--graph-url", "https://g"])).toEqual([
      "m.csv", "--tenant", A, "--client-id", "app-a", "--report", "l.jsonl", "--state-dir", "s", "--deadline", "91", "--yes", "--delete-intune-record", "--graph-url", "https://g",
    ]);
    expect(joinArgs({ tenant: B, clientId: undefined }, flags, { joining: "j.csv", report: "j.jsonl", stateDir: "s" }, [])).toEqual(["j.csv", "--tenant", B, "--report", "j.jsonl", "--state-dir", "s"]);
    expect(halfEnv({ AUTOPILOT_IMPORT_REPORT: "x", KEEP: "1" }, ["AUTOPILOT_IMPORT_REPORT"])).toEqual({ KEEP: "1" });
  });
});
