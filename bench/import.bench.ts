/**
 * Import benchmark: import throughput, i.e. submission and polling. The real CLI (dist/cli/bin.js, in a child process
 * so its peak RSS is its own) imports generated devices into the emulator (in this process) with the emulator's
 * default, Intune-like throttling and a fixed processing delay. For each run it prints the minimum wall time the
 * emulator's limits allow, the measured wall time, Graph requests per device (submission + polling), and the child's
 * peak RSS.
 *
 * What runs, exactly: `autopilot-import import FILE --json --batch-size B --concurrency C --no-verify --no-sync
 * --no-cleanup --fresh --state-dir DIR` (the run journal on). The registration check and the sync are separate steps
 * after the import, and the cleanup of staged records is paced by Intune's write budget (5 deletes/s: 10 minutes at
 * the default --cleanup-max-time), so none of them is import throughput. `--cleanup` adds a separate line per run:
 * `autopilot-import cleanup --max-time T` over the run's journal, the deletes' own rate.
 *
 *   npm run build && npm run bench:import -- [--rows 10000,100000] [--batch-sizes 500] [--delay 30]
 *                                            [--concurrency 4] [--sweep-rows 20000 --sweep 50,100,250,500]
 *                                            [--cleanup [--cleanup-max-time 60s]] [--write]
 *
 * BENCH_SMOKE=1 (or --smoke): 50 devices in uploads of 10, 1 s processing, the cleanup line on, files in a temporary
 * directory, nothing written; a few seconds, for the CI smoke test (test/bench/smoke.test.ts).
 * --write replaces the "## Import" section of bench/RESULTS.md with the tables printed.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { cpus, platform, release, tmpdir, totalmem } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { emulatorEnv, startEmulator, type EmulatorHandle, type Scenario } from "../src/emulator/index.js";
import { writeDeviceCsv } from "../test/support/fixtures/generate.js";
import { replaceResultsSection } from "./results-file.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const BIN = path.join(ROOT, "dist/cli/bin.js");

const { values } = parseArgs({
  options: {
    rows: { type: "string" },
    "batch-sizes": { type: "string" },
    delay: { type: "string" },
    concurrency: { type: "string", default: "4" },
    "sweep-rows": { type: "string", default: "20000" },
    sweep: { type: "string", default: "" },
    cleanup: { type: "boolean" },
    "cleanup-max-time": { type: "string", default: "60s" },
    write: { type: "boolean", default: false },
    smoke: { type: "boolean", default: process.env.BENCH_SMOKE === "1" },
  },
});
const SMOKE = values.smoke;
const list = (text: string): number[] => text.split(",").filter(Boolean).map(Number);
const ROWS = list(values.rows ?? (SMOKE ? "50" : "10000,100000"));
const BATCH_SIZES = list(values["batch-sizes"] ?? (SMOKE ? "10" : "500"));
const DELAY_S = Number(values.delay ?? (SMOKE ? "1" : "30"));
const CONCURRENCY = Number(values.concurrency);
const CLEANUP = values.cleanup ?? SMOKE;
if ([...ROWS, ...BATCH_SIZES, CONCURRENCY].some((n) => !Number.isSafeInteger(n) || n <= 0) || !(DELAY_S >= 0) || (SMOKE && values.write)) {
  process.stderr.write("usage: npm run bench:import -- [--rows N,N] [--batch-sizes N,N] [--delay S] [--concurrency N] [--sweep-rows N --sweep N,N] [--cleanup [--cleanup-max-time 60s]] [--write | --smoke]\n");
  process.exit(2);
}
/** Generated files (kept between runs: 100k rows is 448 MB), reports, logs and state; a temporary directory when smoke. */
const DATA = SMOKE ? await mkdtemp(path.join(tmpdir(), "bench-import-")) : path.join(ROOT, "bench/data");

/** The CLI's flags in every run, as printed and written to RESULTS.md. */
const IMPORT_FLAGS = (batchSize: number | string): string[] => [
  "--json",
  "--batch-size",
  String(batchSize),
  "--concurrency",
  String(CONCURRENCY),
  // Submission and polling only: the registration check and the sync after the import, and the cleanup of staged
  // records (paced by the write budget, measured apart with --cleanup), are not import throughput. Each run starts a
  // fresh journal rather than resuming the previous run over the same file.
  "--no-verify",
  "--no-sync",
  "--no-cleanup",
  "--fresh",
];
const OPTIONS_LINE =
  `Options: autopilot-import import FILE ${IMPORT_FLAGS("B").join(" ")} --state-dir DIR; ` +
  `devices ${ROWS.join(",")}, batch B = ${BATCH_SIZES.join(",")}, processing ${DELAY_S} s fixed, concurrency ${CONCURRENCY}` +
  (values.sweep ? `; sweep of B = ${values.sweep} over ${values["sweep-rows"]} devices` : "") +
  (CLEANUP ? `; cleanup measured apart: autopilot-import cleanup --state-dir DIR --max-time ${values["cleanup-max-time"]} --json` : "; cleanup not measured (--cleanup)") +
  (SMOKE ? "; smoke run (BENCH_SMOKE=1): tiny sizes, figures meaningless" : "");

interface RunResult {
  readonly rows: number;
  readonly batchSize: number;
  readonly minimumS: number;
  readonly minimumWhy: string;
  readonly wallS: number;
  readonly summary: Record<string, number>;
  readonly requestsPerDevice: number;
  /** Import requests the emulator received (429s included). */
  readonly submissions: number;
  readonly pollRequests: number;
  readonly throttled: number;
  readonly peakRssMb: number;
  readonly rssAtHalfMb: number;
  readonly exitCode: number | null;
  readonly cleanup?: CleanupResult;
}

/** `autopilot-import cleanup` over the run's journal, after the import. */
interface CleanupResult {
  readonly wallS: number;
  readonly deleted: number;
  readonly remaining: number;
}

/** The fastest the emulator's limits allow: every write through the token bucket, then the processing delay. */
export function minimumWallSeconds(devices: number, batchSize: number, scenario: Scenario): { seconds: number; why: string } {
  const { writesPerWindow: w, requestsPerWindow: r, windowSeconds: t } = scenario.throttling;
  const writes = Math.ceil(devices / batchSize);
  // A full bucket lets `w` writes through at once, then one every t/w seconds.
  const writeSeconds = (Math.max(0, writes - w) * t) / w;
  // Each device's final state must be read at least once: at best a full page of staged records per request.
  const reads = Math.ceil(devices / scenario.paging.maxTop);
  const requestSeconds = (Math.max(0, writes + reads - r) * t) / r;
  const delay = scenario.processing.delayMs / 1000;
  const seconds = Math.max(writeSeconds, requestSeconds) + delay;
  const why = `${writes} writes (${w} at once, then ${w}/${t} s) = ${writeSeconds.toFixed(1)} s, + ${reads} reads, + ${delay} s processing`;
  return { seconds, why };
}

async function ensureCsv(rows: number): Promise<string> {
  await mkdir(DATA, { recursive: true });
  const file = path.join(DATA, `import-${rows}.csv`);
  if (!existsSync(file) || statSync(file).size === 0) {
    process.stderr.write(`generating ${file} …\n`);
    await writeDeviceCsv(file, { rows, seed: rows, serialPrefix: `B${rows}-` });
  }
  return file;
}

/** Peak (VmHWM) and current (VmRSS) resident set of a running process, in MB (Linux /proc). */
function memoryOf(pid: number): { hwm: number; rss: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (key: string): number => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
    return { hwm: kb("VmHWM") / 1024, rss: kb("VmRSS") / 1024 };
  } catch {
    return undefined;
  }
}

/** Deletes what the run staged, as `autopilot-import cleanup` does after an import with --no-cleanup. */
async function cleanupOnce(emulator: EmulatorHandle, stateDir: string): Promise<CleanupResult> {
  const started = performance.now();
  const child = spawn(process.execPath, [BIN, "cleanup", "--state-dir", stateDir, "--max-time", values["cleanup-max-time"], "--json", "--log-level", "warn"], {
    cwd: DATA,
    env: { PATH: process.env.PATH ?? "", ...emulatorEnv(emulator) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const exitCode = await new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  // 1: some are left (the time limit); anything else is a failure.
  if (exitCode !== 0 && exitCode !== 1) throw new Error(`cleanup exited ${exitCode}: ${stderr.slice(-2000)}`);
  const result = JSON.parse(stdout) as { deleted: number; remaining: number };
  return { wallS: (performance.now() - started) / 1000, deleted: result.deleted, remaining: result.remaining };
}

async function runOnce(emulator: EmulatorHandle, file: string, rows: number, batchSize: number): Promise<RunResult> {
  emulator.reset();
  const { seconds: minimumS, why } = minimumWallSeconds(rows, batchSize, emulator.scenario);
  const stateDir = path.join(DATA, `state-${rows}-${batchSize}`);
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [
      BIN,
      "import",
      file,
      ...IMPORT_FLAGS(batchSize),
      "--report",
      path.join(DATA, `report-${rows}-${batchSize}.csv`),
      "--log-level",
      "warn",
      "--log-file",
      path.join(DATA, `log-${rows}-${batchSize}.jsonl`),
      "--state-dir",
      stateDir,
    ],
    {
      cwd: DATA,
      env: {
        PATH: process.env.PATH ?? "",
        ...emulatorEnv(emulator),
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  let peak = 0;
  let atHalf = 0;
  const sampler = setInterval(() => {
    const memory = child.pid === undefined ? undefined : memoryOf(child.pid);
    if (!memory) return;
    peak = Math.max(peak, memory.hwm);
    if (atHalf === 0 && emulator.stats().submissions.total >= rows / 2) atHalf = memory.rss;
  }, 100);
  const exitCode = await new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  clearInterval(sampler);
  const wallS = (performance.now() - started) / 1000;
  if (exitCode !== 0) throw new Error(`import exited ${exitCode}: ${stderr.slice(-2000)}`);
  const summary = JSON.parse(stdout) as Record<string, number>;
  const stats = emulator.stats();
  if (summary.imported !== rows || stats.submissions.serialsSubmittedMoreThanOnce.length > 0 || summary.cleanup !== null) {
    throw new Error(`unexpected outcome: ${JSON.stringify(summary)}`);
  }
  const importRoute = stats.requests.byRoute["POST /v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities/import"] ?? {};
  const imports = Object.values(importRoute).reduce((a, b) => a + b, 0);
  const requests = summary.requests ?? 0;
  return {
    rows,
    batchSize,
    minimumS,
    minimumWhy: why,
    wallS,
    summary,
    requestsPerDevice: requests / rows,
    submissions: imports,
    pollRequests: requests - imports,
    throttled: stats.throttled.total,
    peakRssMb: peak,
    rssAtHalfMb: atHalf,
    exitCode,
    ...(CLEANUP ? { cleanup: await cleanupOnce(emulator, stateDir) } : {}),
  };
}

function row(r: RunResult): string {
  const ratio = r.wallS / r.minimumS;
  return `| ${r.rows.toLocaleString("en-US")} | ${r.batchSize} | ${r.minimumS.toFixed(1)} s | ${r.wallS.toFixed(1)} s | **${ratio.toFixed(2)}x** | ${r.summary.requests} (${r.submissions} imports, ${r.pollRequests} polling) | **${r.requestsPerDevice.toFixed(4)}** | ${r.throttled} | ${r.rssAtHalfMb.toFixed(0)} / **${r.peakRssMb.toFixed(0)} MB** |`;
}

function cleanupRow(r: RunResult): string {
  const c = r.cleanup;
  if (!c) return "";
  return `| ${r.rows.toLocaleString("en-US")} | ${c.deleted.toLocaleString("en-US")} | ${c.remaining.toLocaleString("en-US")} | ${c.wallS.toFixed(1)} s | ${(c.deleted / c.wallS).toFixed(2)} |`;
}

const CLEANUP_HEADER = "| devices | deleted | left at --max-time | wall | deletes / s |\n|---:|---:|---:|---:|---:|";

const HEADER =
  "| devices | batch | minimum | wall | wall / minimum | Graph requests | requests / device | 429s | RSS at half / peak |\n" +
  "|---:|---:|---:|---:|---:|---|---:|---:|---:|";

async function main(): Promise<void> {
  if (!existsSync(BIN)) throw new Error("run `npm run build` first: the benchmark runs the built CLI");
  process.stdout.write(`${OPTIONS_LINE}\n`);
  const emulator = await startEmulator({ scenario: { processing: { delayMs: DELAY_S * 1000, spreadMs: 0 } } });
  const main: RunResult[] = [];
  const sweep: RunResult[] = [];
  try {
    const s = emulator.scenario;
    process.stderr.write(
      `emulator: throttling ${s.throttling.writesPerWindow} writes and ${s.throttling.requestsPerWindow} requests per ${s.throttling.windowSeconds} s, ` +
        `max import ${s.limits.maxImportSize}, page ${s.paging.maxTop}, processing ${DELAY_S} s fixed\n`,
    );
    for (const rows of ROWS) {
      const file = await ensureCsv(rows);
      for (const batchSize of BATCH_SIZES) {
        const result = await runOnce(emulator, file, rows, batchSize);
        process.stderr.write(`${row(result)}\n  minimum: ${result.minimumWhy}\n`);
        main.push(result);
      }
    }
    if (values.sweep) {
      const rows = Number(values["sweep-rows"]);
      const file = await ensureCsv(rows);
      for (const batchSize of list(values.sweep)) {
        const result = await runOnce(emulator, file, rows, batchSize);
        process.stderr.write(`${row(result)}\n  minimum: ${result.minimumWhy}\n`);
        sweep.push(result);
      }
    }
  } finally {
    await emulator.close();
    if (SMOKE) await rm(DATA, { recursive: true, force: true });
  }

  const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? "CPU"}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${platform()} ${release()}, Node ${process.version}; ${new Date().toISOString().slice(0, 10)}`;
  const lines = [
    "## Import",
    "",
    "`npm run build && npm run bench:import` (bench/import.bench.ts): the built CLI imports generated devices (admin-center CSV, 3–4 KB hashes) into the emulator in a child process; the emulator runs in the benchmark's process with its default, Intune-like limits (100 writes and 1,000 requests per 20 s, imports of at most 500, pages of 1,000) and every device processed exactly " +
      `${DELAY_S} s after staging. Concurrency ${CONCURRENCY}, default polling, the run journal on (--state-dir); the registration check, the sync and the cleanup of staged records off (--no-verify --no-sync --no-cleanup): submission and polling only.`,
    "",
    OPTIONS_LINE,
    "",
    `Machine: ${machine}. The 2 cores are shared by the CLI, the emulator and whatever else runs.`,
    "",
    "Minimum = the write bucket's time for ceil(devices / batch) imports (100 at once, then 5 per second) + the processing delay; reads never bind (one page of 1,000 per 1,000 devices). Requests = every HTTP request the CLI sent to Graph (retries and $batch calls included; token requests excluded).",
    "",
    HEADER,
    ...main.map(row),
  ];
  if (sweep.length > 0) {
    lines.push("", `Batch size, ${Number(values["sweep-rows"]).toLocaleString("en-US")} devices:`, "", HEADER, ...sweep.map(row));
  }
  const cleaned = [...main, ...sweep].filter((r) => r.cleanup);
  if (cleaned.length > 0) {
    lines.push(
      "",
      `Cleanup, measured apart (not import throughput): \`autopilot-import cleanup --max-time ${values["cleanup-max-time"]}\` after each run, deleting its staged records at the default write limit (100 writes per 20 s: the first 100 at once, then 5 a second):`,
      "",
      CLEANUP_HEADER,
      ...cleaned.map(cleanupRow),
    );
  }
  const section = `${lines.join("\n")}\n`;
  process.stdout.write(`\n${section}`);
  if (values.write) replaceResultsSection("Import", section);
}

await main();
