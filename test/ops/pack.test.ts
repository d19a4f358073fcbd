/**
 * The package as users get it: `npm pack` of the built tree (`npm test` builds first), installed with production
 * dependencies only into an empty directory, runs its own `--help`, its own emulator and a full import of its own
 * bundled samples, through node_modules/.bin like a user's shell would; and, as a library, a TypeScript script that
 * imports from `autopilot-import` and `autopilot-import/emulator` type-checks against the shipped declarations and runs.
 */
import { execFile, spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { request } from "node:https";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collect, firstLine, ROOT } from "../support/cli-process.js";

const TSC = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");
const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
  name: string;
  version: string;
  bin: Record<string, string>;
  exports: Record<string, { types: string; import: string }>;
};
const run = promisify(execFile);

/** npm as a user runs it: none of the npm_* variables of an enclosing `npm test`, which would point it at this repo. */
function npmEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));
}

async function npm(args: string[], cwd: string): Promise<string> {
  const { stdout } = await run("npm", args, { cwd, env: npmEnv(), maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

interface PackResult {
  readonly filename: string;
  readonly files: readonly { path: string }[];
}

async function pack(extra: string[], destination: string): Promise<PackResult> {
  // --ignore-scripts: `prepare` would rebuild dist/, which the test run has just built.
  const out = await npm(["pack", "--json", "--ignore-scripts", "--pack-destination", destination, ...extra], ROOT);
  return (JSON.parse(out) as PackResult[])[0]!;
}

function repoFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir)).map((name) => `${dir}/${name}`);
}

describe("npm pack --dry-run", () => {
  it("contains dist (no tests, no TypeScript sources), the samples and scenarios, package.json and README", async () => {
    const files = (await pack(["--dry-run"], tmpdir())).files.map((f) => f.path).sort();
    const outside = files.filter((f) => !f.startsWith("dist/") && !f.startsWith("fixtures/samples/") && !f.startsWith("fixtures/scenarios/"));
    expect(outside.filter((f) => !/^(README\.md|LICENSE(\.\w+)?)$/.test(f))).toEqual(["package.json"]);
    for (const dir of ["fixtures/samples", "fixtures/scenarios"]) expect(files.filter((f) => f.startsWith(`${dir}/`))).toEqual(repoFiles(dir).sort());
    expect(files).toContain(pkg.bin["autopilot-import"]!.replace(/^\.\//, ""));
    expect(files).toEqual(expect.arrayContaining(["dist/index.js", "dist/index.d.ts"]));
    // Every entry point in package.json `exports` ships, with its declarations; the test-data generator does not.
    expect(Object.keys(pkg.exports).sort()).toEqual([".", "./emulator"]);
    for (const entry of Object.values(pkg.exports)) expect(files).toEqual(expect.arrayContaining([entry.import.replace(/^\.\//, ""), entry.types.replace(/^\.\//, "")]));
    expect(files.filter((f) => /^dist\/fixtures\/|generate\.(js|d\.ts)$|device-values/.test(f))).toEqual([]);
    expect(files.filter((f) => /(^|\/)(test|tests|__tests__)\/|\.test\.|\.spec\./.test(f))).toEqual([]);
    expect(files.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))).toEqual([]);
    expect(files.filter((f) => /^(src|test|bench|scripts|deploy)\//.test(f) || /(^|\/)\.(env|npmrc)/.test(f))).toEqual([]);
  });
});

describe("the packed package, installed with production dependencies only", () => {
  let dir: string;
  let bin: string;
  let installed: string;
  const children: ChildProcessWithoutNullStreams[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "autopilot-import-pack-"));
    const { filename } = await pack([], dir);
    await writeFile(path.join(dir, "package.json"), JSON.stringify({ name: "pack-test", private: true }));
    await npm(["install", "--omit=dev", "--prefer-offline", "--no-audit", "--no-fund", "--no-package-lock", path.join(dir, path.basename(filename))], dir);
    bin = path.join(dir, "node_modules", ".bin", "autopilot-import");
    installed = path.join(dir, "node_modules", pkg.name);
  }, 120_000);

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("installed no dev dependency", () => {
    const modules = readdirSync(path.join(dir, "node_modules"));
    for (const dev of ["typescript", "vitest", "tsx", "eslint", "yaml", "kubernetes-models"]) expect(modules).not.toContain(dev);
    expect(existsSync(bin)).toBe(true);
  });

  it("runs autopilot-import --help and --version from node_modules/.bin", async () => {
    const help = await run(bin, ["--help"], { cwd: dir });
    for (const command of ["import", "validate", "emulator", "demo", "sync", "settings"]) expect(help.stdout).toMatch(new RegExp(`^  ${command} `, "m"));
    expect((await run(bin, ["--version"], { cwd: dir })).stdout.trim()).toBe(pkg.version);
    expect((await run(bin, ["import", "--help"], { cwd: dir })).stdout).toContain("AZURE_CLIENT_SECRET_FILE");
  });

  it("imports its bundled samples into its own emulator: every row accounted for, exit 0", async () => {
    const samples = readdirSync(path.join(installed, "fixtures", "samples"))
      .filter((name) => name.endsWith(".csv"))
      .map((name) => path.join(installed, "fixtures", "samples", name));
    expect(samples.length).toBeGreaterThan(0);
    const validated = JSON.parse((await run(bin, ["validate", ...samples, "--json"], { cwd: dir })).stdout) as { rows: number; valid: number };

    const emulator = spawn(bin, ["emulator", "--port", "0"], { cwd: dir });
    children.push(emulator);
    const stopped = collect(emulator);
    const ready = JSON.parse(await firstLine(emulator)) as Record<"graphUrl" | "authorityHost" | "caCertPath" | "tenantId" | "clientId" | "clientSecret", string>;

    const env = {
      ...npmEnv(),
      NODE_EXTRA_CA_CERTS: ready.caCertPath,
      AZURE_TENANT_ID: ready.tenantId,
      AZURE_CLIENT_ID: ready.clientId,
      AZURE_CLIENT_SECRET: ready.clientSecret,
    };
    const report = path.join(dir, "report.csv");
    const args = ["import", ...samples, "--graph-url", ready.graphUrl, "--authority-host", ready.authorityHost, "--report", report, "--json"];
    const result = await collect(spawn(bin, args, { cwd: dir, env }));
    expect(result.stderr).not.toMatch(/internal error/);
    expect(result.code).toBe(0);

    const summary = JSON.parse(result.stdout) as Record<string, number>;
    expect(summary.rows).toBe(validated.rows);
    expect(summary.valid).toBe(validated.valid);
    const outcomes = ["imported", "alreadyRegistered", "updated", "failed", "invalid", "duplicates", "timedOut"] as const;
    expect(outcomes.reduce((sum, key) => sum + summary[key]!, 0)).toBe(summary.rows);
    expect(summary.imported).toBe(validated.valid);
    expect(summary.registered).toBe(validated.valid);
    expect(readFileSync(report, "utf8").trimEnd().split("\n")).toHaveLength(summary.rows! + 1);

    const stats = JSON.parse(await get(`${ready.graphUrl}/_emulator/stats`, readFileSync(ready.caCertPath))) as { devices: { registered: number; stagedCreated: number } };
    expect(stats.devices).toMatchObject({ registered: validated.valid, stagedCreated: validated.valid });

    emulator.kill("SIGTERM");
    expect((await stopped).code).toBe(0);
  });

  it("as a library: the root entry point runs an import, autopilot-import/emulator starts the emulator, both type-check", async () => {
    const samples = readdirSync(path.join(installed, "fixtures", "samples"))
      .filter((name) => name.endsWith(".csv"))
      .map((name) => path.join(installed, "fixtures", "samples", name));
    await writeFile(path.join(dir, "library.mts"), LIBRARY_SCRIPT);
    // The package's own declarations, resolved through `exports` (types condition) as a user's compiler resolves them.
    const compilerOptions = {
      module: "NodeNext",
      moduleResolution: "NodeNext",
      target: "ES2022",
      strict: true,
      skipLibCheck: true,
      types: ["node"],
      typeRoots: [path.join(ROOT, "node_modules", "@types")],
    };
    await writeFile(path.join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions, files: ["library.mts"] }));
    const compiled = await run(process.execPath, [TSC, "-p", path.join(dir, "tsconfig.json")], { cwd: dir }).catch((error: { stdout?: string }) => {
      throw new Error(`library.mts does not type-check against the packed declarations:\n${error.stdout ?? String(error)}`);
    });
    expect(compiled.stdout).toBe("");

    const { stdout } = await run(process.execPath, [path.join(dir, "library.mjs"), ...samples], { cwd: dir, env: npmEnv() });
    const result = JSON.parse(stdout) as { summary: Record<"rows" | "valid" | "imported", number>; statuses: string[]; version: string; root: string[]; emulator: string[] };
    expect(result.version).toBe(pkg.version);
    // The bundled samples are all valid and unique: every row imported, and reported once.
    expect(result.summary.rows).toBeGreaterThan(0);
    expect(result.summary).toMatchObject({ valid: result.summary.rows, imported: result.summary.rows });
    expect(result.statuses).toEqual(Array.from({ length: result.summary.rows }, () => "imported"));

    expect(result.root).toEqual(
      expect.arrayContaining(["importDevices", "openDeviceReader", "createGraphClient", "GraphClient", "openJournal", "createPostImportStage", "createStagedCleanup", "createLogger", "VERSION", "UsageError"]),
    );
    // Neither the emulator nor the test-data generator (test/support/fixtures) is in the root entry point.
    expect(result.root.filter((name) => /emulator|scenario|generate|DeviceCsv|LAYOUT_HEADERS|DEFECTS/i.test(name))).toEqual([]);
    expect(result.emulator.sort()).toEqual(["ScenarioError", "emulatorEnv", "emulatorGraphConfig", "loadScenarioFile", "parseScenario", "startEmulator"]);
  });
});

/**
 * A script as a user writes one, in TypeScript: runs an import through the root entry point against the emulator of
 * `autopilot-import/emulator`, and prints what each entry point exports. The @ts-expect-error lines fail the type check
 * if the root exports the emulator or the test-data generator again.
 */
const LIBRARY_SCRIPT = `
import * as root from "autopilot-import";
import { createGraphClient, importDevices, openDeviceReader, VERSION, type ImportReportRow, type ImportSummary, type ReportSink } from "autopilot-import";
import * as emulatorEntry from "autopilot-import/emulator";
import { emulatorGraphConfig, startEmulator, type EmulatorHandle } from "autopilot-import/emulator";

// @ts-expect-error the emulator is not part of the root entry point
void root.startEmulator;
// @ts-expect-error nor is the test-data generator
void root.writeDeviceCsv;

const emulator: EmulatorHandle = await startEmulator();
const client = createGraphClient(emulatorGraphConfig(emulator));
const reported: ImportReportRow[] = [];
const report: ReportSink = { write: (row) => void reported.push(row), close: async () => undefined };
async function run(): Promise<ImportSummary> {
  try {
    return await importDevices({ rows: openDeviceReader(process.argv.slice(2)).rows(), client, report });
  } finally {
    client.close();
    await emulator.close();
  }
}
const summary = await run();
const statuses = reported.map((row) => row.status);
process.stdout.write(JSON.stringify({ summary, statuses, version: VERSION, root: Object.keys(root), emulator: Object.keys(emulatorEntry) }));
`;

function get(url: string, ca: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    request(url, { ca }, (response) => {
      let body = "";
      response.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
      response.on("end", () => (response.statusCode === 200 ? resolve(body) : reject(new Error(`${url}: ${response.statusCode}`))));
    })
      .on("error", reject)
      .end();
  });
}
