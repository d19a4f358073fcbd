/** `run`'s configuration: the same import options as `import` (shared, not copied), its own three, all from the environment too. */
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCommand } from "../../../src/cli/commands/run.js";
import { ENV_FOR_FLAG, SHARED_ENV_FOR_FLAG, loadImportConfig } from "../../../src/cli/config/import.js";
import { RUN_ENV_FOR_FLAG, loadRunConfig } from "../../../src/cli/config/run.js";
import { usageMessage } from "../../support/usage-error.js";

const cwd = "/work/here";

describe("run configuration", () => {
  it("an inbox alone: the state directory inside it, a 5 s settle, CSV reports, and import's defaults", () => {
    const config = loadRunConfig(["--inbox", "drop"], {}, cwd);
    const shared = loadImportConfig(["a.csv"], {}, cwd);
    expect(config).toMatchObject({ inbox: "/work/here/drop", stateDir: "/work/here/drop/.autopilot-import", settleMs: 5_000, reportFormat: "csv", forceUnlock: false });
    for (const key of ["json", "batchSize", "concurrency", "api", "pollTimeoutMs", "logLevel", "after"] as const) expect(config[key], key).toEqual(shared[key]);
  });

  it("a container needs no argument but `run`: every option has its variable", () => {
    const config = loadRunConfig([], { AUTOPILOT_IMPORT_INBOX: "/data", AUTOPILOT_IMPORT_SETTLE: "30s", AUTOPILOT_IMPORT_REPORT_FORMAT: "jsonl", AUTOPILOT_IMPORT_BATCH_SIZE: "50", AUTOPILOT_IMPORT_SYNC: "false", AUTOPILOT_IMPORT_TENANT: "contoso" }, cwd);
    expect(config).toMatchObject({ inbox: "/data", stateDir: "/data/.autopilot-import", settleMs: 30_000, reportFormat: "jsonl", batchSize: 50, after: expect.objectContaining({ sync: false }), auth: expect.objectContaining({ tenantId: "contoso" }) });
    expect(loadRunConfig([], { AUTOPILOT_IMPORT_INBOX: "/data", AUTOPILOT_IMPORT_STATE_DIR: "/state" }, cwd).stateDir).toBe("/state");
    expect(loadRunConfig(["--inbox", "/data", "--settle", "0"], {}, cwd).settleMs).toBe(0);
  });

  it("shares import's variables, except those of --report, --dry-run, --fresh, --add-to-group and --archive", () => {
    for (const [flag, names] of Object.entries(SHARED_ENV_FOR_FLAG)) expect(RUN_ENV_FOR_FLAG[flag as keyof typeof RUN_ENV_FOR_FLAG], flag).toEqual(names);
    const importOnly = Object.keys(ENV_FOR_FLAG).filter((flag) => !(flag in RUN_ENV_FOR_FLAG));
    expect(importOnly.sort()).toEqual(["add-to-group", "add-to-group-wait", "archive", "dry-run", "fresh", "report"]);
  });

  it("--group-tag, --assigned-user and --report-delimiter apply to every file, validated as import validates them", () => {
    const config = loadRunConfig(["--inbox", "/d", "--group-tag", " Kiosk ", "--assigned-user", "kiosk@contoso.com", "--report-delimiter", "tab"], {}, cwd);
    expect(config).toMatchObject({ overrides: { groupTag: "Kiosk", assignedUserPrincipalName: "kiosk@contoso.com" }, reportDelimiter: "\t" });
    expect(loadRunConfig(["--inbox", "/d"], {}, cwd)).toMatchObject({ overrides: undefined, reportDelimiter: undefined });
    expect(usageMessage(() => loadRunConfig(["--inbox", "/d", "--group-tag", "a\u0007b"], {}, cwd))).toMatch(/^--group-tag: the value contains the control character/);
    expect(usageMessage(() => loadRunConfig(["--inbox", "/d", "--group-tag", "  "], {}, cwd))).toMatch(/^--group-tag: expected a value, got an empty one/);
    expect(usageMessage(() => loadRunConfig(["--inbox", "/d"], { AUTOPILOT_IMPORT_ASSIGNED_USER: "a@@b.com" }, cwd))).toMatch(/^AUTOPILOT_IMPORT_ASSIGNED_USER: the value 'a@@b.com' is not a valid user principal name/);
  });

  it("refuses what makes no sense for an inbox, and names bad values", () => {
    expect(usageMessage(() => loadRunConfig([], {}, cwd))).toMatch(/give the inbox folder with --inbox DIR or AUTOPILOT_IMPORT_INBOX/);
    expect(usageMessage(() => loadRunConfig(["--inbox", "/d", "--report", "r.csv"], {}, cwd))).toMatch(/--report/);
    expect(usageMessage(() => loadRunConfig(["--inbox", "/d", "--fresh"], {}, cwd))).toMatch(/--fresh/);
    expect(usageMessage(() => loadRunConfig(["--inbox", "/d", "devices.csv"], {}, cwd))).toMatch(/devices\.csv/);
    expect(usageMessage(() => loadRunConfig(["--inbox", "/d", "--settle", "soon"], {}, cwd))).toMatch(/^--settle: expected a duration/);
    expect(usageMessage(() => loadRunConfig(["--inbox", "/d"], { AUTOPILOT_IMPORT_REPORT_FORMAT: "xml" }, cwd))).toMatch(/^AUTOPILOT_IMPORT_REPORT_FORMAT: expected 'csv' or 'jsonl'/);
  });

  it("--help documents every flag and every variable", () => {
    const flags = new Set<string>();
    for (const match of runCommand.help.matchAll(/^ {2}--(?:no-)?([a-z][a-z-]*)/gm)) flags.add(match[1]!);
    expect([...flags].sort()).toEqual(Object.keys(RUN_ENV_FOR_FLAG).sort());
    const environment = runCommand.help.slice(runCommand.help.indexOf("Environment"));
    for (const names of Object.values(RUN_ENV_FOR_FLAG)) {
      for (const name of names) expect(environment.includes(name) || environment.includes(name.replace("AUTOPILOT_IMPORT", "")), name).toBe(true);
    }
    expect(path.isAbsolute(loadRunConfig(["--inbox", "."], {}, cwd).inbox)).toBe(true);
  });
});
