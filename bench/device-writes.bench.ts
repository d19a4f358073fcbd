/**
 * Device-write benchmark: `update` and `deregister` of generated registered devices. The real CLI (dist/cli/bin.js,
 * in a child process so its peak RSS is its own) works on a tenant the emulator (in this process) seeds with N
 * registered devices, none enrolled in Intune, with the emulator's default, Intune-like throttling (100 writes and
 * 1,000 requests per 20 s per app). Every device is one write (updateDeviceProperties, or DELETE), so the floor is the
 * write bucket's: the first 100 at once, then 5 a second (10,000 devices: 1,980 s); a deregister also waits for the
 * last deletion to complete (processing.deletionLingerMs, 60 s by default). Printed per run: that minimum, the wall
 * time, their ratio, Graph requests per device (HTTP requests, and the requests inside $batch calls), 429s, peak RSS.
 *
 * What runs, exactly:
 *   update FILE --json --report R --state-dir S --write-limit W         (FILE: Device Serial Number,Group Tag; every tag changes)
 *   deregister FILE --yes --json --report R --state-dir S --write-limit W   (FILE: Device Serial Number)
 *
 *   npm run build && npm run bench:device-writes -- [--devices 10000] [--commands update,deregister] [--speed 1] [--write]
 *
 * --speed S runs the emulator's clock S times faster than real time (its buckets refill S times faster, its
 * Retry-After and linger shrink with it) and gives the CLI a write limit of 100 per 20/S s to match: the same run in
 * 1/S of the time, with fixed costs (sign-in, lookups, request latency) S times heavier against the minimum.
 * BENCH_SMOKE=1 (or --smoke): 110 devices, speed 50, a temporary directory, nothing written; for the CI smoke test.
 * --write replaces the "## Device writes" section of bench/RESULTS.md with the table printed.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { cpus, platform, release, tmpdir, totalmem } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { emulatorEnv, startEmulator, type EmulatorHandle } from "../src/emulator/index.js";
import { replaceResultsSection } from "./results-file.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const BIN = path.join(ROOT, "dist/cli/bin.js");

const { values } = parseArgs({
  options: {
    devices: { type: "string" },
    commands: { type: "string", default: "update,deregister" },
    speed: { type: "string" },
    write: { type: "boolean", default: false },
    smoke: { type: "boolean", default: process.env.BENCH_SMOKE === "1" },
  },
});
const SMOKE = values.smoke;
const DEVICES = Number(values.devices ?? (SMOKE ? "110" : "10000"));
const SPEED = Number(values.speed ?? (SMOKE ? "50" : "1"));
const COMMANDS = values.commands.split(",").filter(Boolean);
type Kind = "update" | "deregister";
if (!Number.isSafeInteger(DEVICES) || DEVICES <= 0 || !(SPEED >= 1) || COMMANDS.some((c) => c !== "update" && c !== "deregister") || (SMOKE && values.write)) {
  process.stderr.write("usage: npm run bench:device-writes -- [--devices N] [--commands update,deregister] [--speed S] [--write | --smoke]\n");
  process.exit(2);
}
const DATA = SMOKE ? await mkdtemp(path.join(tmpdir(), "bench-writes-")) : path.join(ROOT, "bench/data");
const PREFIX = "BW";
const NEW_TAG = "Bench-Moved";
const WINDOW_S = 20;
const LIMIT = `100/${WINDOW_S / SPEED}s`;

const FLAGS: Readonly<Record<Kind, readonly string[]>> = {
  update: ["--json", "--write-limit", LIMIT],
  deregister: ["--yes", "--json", "--write-limit", LIMIT],
};
const OPTIONS_LINE =
  `Options: autopilot-import update FILE ${FLAGS.update.join(" ")} --report R --state-dir S; ` +
  `autopilot-import deregister FILE ${FLAGS.deregister.join(" ")} --report R --state-dir S; ${DEVICES} devices, emulator clock ×${SPEED}` +
  (SMOKE ? "; smoke run (BENCH_SMOKE=1): tiny sizes, figures meaningless" : "");

interface RunResult {
  readonly kind: Kind;
  readonly minimumS: number;
  readonly minimumWhy: string;
  readonly wallS: number;
  readonly httpRequests: number;
  readonly innerRequests: number;
  readonly writes: number;
  readonly throttled: number;
  readonly peakRssMb: number;
  readonly statuses: Record<string, number>;
}

/** The serials the emulator generates for its seed: `<prefix>-<n, 6 digits>`. */
const serialOf = (n: number): string => `${PREFIX}-${String(n).padStart(6, "0")}`;

function writeList(kind: Kind): string {
  const file = path.join(DATA, `${kind}-${DEVICES}.csv`);
  const lines = [kind === "update" ? "Device Serial Number,Group Tag" : "Device Serial Number"];
  for (let n = 1; n <= DEVICES; n++) lines.push(kind === "update" ? `${serialOf(n)},${NEW_TAG}` : serialOf(n));
  writeFileSync(file, `${lines.join("\r\n")}\r\n`);
  return file;
}

/** The fastest the emulator's limits allow, in real seconds: every write through the bucket, then (deregister) the linger. */
function minimum(kind: Kind, emulator: EmulatorHandle): { seconds: number; why: string } {
  const { writesPerWindow: w, windowSeconds: t } = emulator.scenario.throttling;
  const writeSeconds = (Math.max(0, DEVICES - w) * t) / w / SPEED;
  const linger = kind === "deregister" ? emulator.scenario.processing.deletionLingerMs / 1000 / SPEED : 0;
  const why = `${DEVICES} writes (${w} at once, then ${w}/${t / SPEED} s) = ${writeSeconds.toFixed(1)} s` + (linger > 0 ? ` + ${linger.toFixed(1)} s until the last deletion completes` : "");
  return { seconds: writeSeconds + linger, why };
}

function peakRssMb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

/** Requests to Graph itself (the sign-in's token and discovery requests left out), $batch items included. */
function graphRequests(byRoute: Readonly<Record<string, Readonly<Record<string, number>>>>): number {
  let total = 0;
  for (const [route, statuses] of Object.entries(byRoute)) if (/ \/(v1\.0|beta)\//.test(route)) for (const n of Object.values(statuses)) total += n;
  return total;
}

/** Report statuses, counted from the CSV report (column `status`). */
function statusesOf(report: string): Record<string, number> {
  const [header, ...rows] = readFileSync(report, "utf8").replace(/^\uFEFF/, "").split(/\r?\n/).filter(Boolean);
  const at = (header ?? "").split(",").indexOf("status");
  const counts: Record<string, number> = {};
  for (const row of rows) {
    const status = row.split(",")[at] ?? "?";
    counts[status] = (counts[status] ?? 0) + 1;
  }
  return counts;
}

async function runOnce(kind: Kind): Promise<RunResult> {
  const emulator = await startEmulator({
    scenario: { clock: { speed: SPEED }, tenant: { registeredSeed: { count: DEVICES, serialPrefix: PREFIX, enrolledRatio: 0 } } },
  });
  try {
    const file = writeList(kind);
    const report = path.join(DATA, `${kind}-report-${DEVICES}.csv`);
    const stateDir = path.join(DATA, `${kind}-state-${DEVICES}`);
    await rm(stateDir, { recursive: true, force: true });
    const { seconds: minimumS, why } = minimum(kind, emulator);
    const started = performance.now();
    const child = spawn(process.execPath, [BIN, kind, file, ...FLAGS[kind], "--report", report, "--state-dir", stateDir, "--log-level", "warn"], {
      cwd: DATA,
      env: { PATH: process.env.PATH ?? "", ...emulatorEnv(emulator) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.stdout.resume();
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, child.pid === undefined ? 0 : peakRssMb(child.pid))), 100);
    const exitCode = await new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    clearInterval(sampler);
    const wallS = (performance.now() - started) / 1000;
    if (exitCode !== 0) throw new Error(`${kind} exited ${exitCode}: ${stderr.slice(-2000)}`);
    const stats = emulator.stats();
    const statuses = statusesOf(report);
    const wanted = kind === "update" ? "updated" : "deleted";
    if (statuses[wanted] !== DEVICES) throw new Error(`unexpected outcome: ${JSON.stringify(statuses)}`);
    const writes = kind === "update" ? stats.devices.updatesAccepted : stats.devices.registeredDeleteRequests;
    return {
      kind,
      minimumS,
      minimumWhy: why,
      wallS,
      httpRequests: graphRequests(stats.requests.byRoute) - stats.batches.subRequests,
      innerRequests: stats.batches.subRequests,
      writes,
      throttled: stats.throttled.total,
      peakRssMb: peak,
      statuses,
    };
  } finally {
    await emulator.close();
  }
}

const HEADER =
  "| command | devices | minimum | wall | wall / minimum | HTTP requests / device | requests in $batch / device | writes | 429s | peak RSS |\n" +
  "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|";

function row(r: RunResult): string {
  return `| ${r.kind} | ${DEVICES.toLocaleString("en-US")} | ${r.minimumS.toFixed(1)} s | ${r.wallS.toFixed(1)} s | **${r.minimumS > 0 ? `${(r.wallS / r.minimumS).toFixed(3)}×` : "n/a"}** | ${(r.httpRequests / DEVICES).toFixed(3)} | ${(r.innerRequests / DEVICES).toFixed(3)} | ${r.writes.toLocaleString("en-US")} | ${r.throttled} | ${r.peakRssMb.toFixed(0)} MB |`;
}

async function main(): Promise<void> {
  if (!existsSync(BIN)) throw new Error("run `npm run build` first: the benchmark runs the built CLI");
  await mkdir(DATA, { recursive: true });
  process.stdout.write(`${OPTIONS_LINE}\n`);
  const results: RunResult[] = [];
  try {
    for (const kind of COMMANDS as Kind[]) {
      const result = await runOnce(kind);
      process.stderr.write(`${row(result)}\n  minimum: ${result.minimumWhy}; statuses ${JSON.stringify(result.statuses)}\n`);
      results.push(result);
    }
  } finally {
    if (SMOKE) await rm(DATA, { recursive: true, force: true });
  }
  const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? "CPU"}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${platform()} ${release()}, Node ${process.version}; ${new Date().toISOString().slice(0, 10)}`;
  const lines = [
    "## Device writes",
    "",
    "`npm run build && npm run bench:device-writes` (bench/device-writes.bench.ts): the built CLI updates (every device's group tag changes) or deregisters generated registered devices (none enrolled) in the emulator, with its default, Intune-like limits (100 writes and 1,000 requests per 20 s per app), in a child process.",
    "",
    OPTIONS_LINE,
    "",
    `Machine: ${machine}.`,
    "",
    "Minimum = the write bucket's time for one write per device (100 at once, then 5 a second), + for a deregister the time the last deleted record stays listed (60 s). HTTP requests = every request the CLI sent to Graph (each $batch call is one; token requests excluded); requests in $batch = the requests those calls carried (lookups, writes, follow-up reads), which the service throttles one by one.",
    "",
    HEADER,
    ...results.map(row),
  ];
  const section = `${lines.join("\n")}\n`;
  process.stdout.write(`\n${section}`);
  if (values.write) replaceResultsSection("Device writes", section);
}

await main();
