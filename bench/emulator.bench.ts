/**
 * Emulator benchmark: requests/s on loopback with a keep-alive client, and a 100k-device import showing that reads do
 * not slow down with the tenant's size. The emulator runs in this process with throttling and faults off, processing
 * held back a day (then timed on its own), imports of at most 500; the load generator runs in a worker thread so client
 * and server each get a core: 32 concurrent requests for 5 s per measurement (after 2 s of warm-up), 4 concurrent
 * imports of 500 devices with 3 KB (4 KB base64) hashes.
 *
 *   npm run bench:emulator [-- --devices 100000 --seconds 5 --digest-devices 100000,1000000 --no-write]
 *
 * (node --expose-gc, for the heap figures.) The memory rows: for each size in --digest-devices, a fresh emulator per
 * limits.hashStorage mode ("full", "digest") imports that many devices (3 KB hashes) and processes them, then the heap
 * after GC is divided by the devices: bytes held per staged + registered device pair. A mode whose projected heap
 * would not fit V8's heap limit is skipped with a line saying so (raise it: NODE_OPTIONS=--max-old-space-size=MB).
 *
 * Writes the "Emulator" section of bench/RESULTS.md (not with --no-write).
 * BENCH_SMOKE=1 (or --smoke): 2,000 devices (memory rows at 1,000), 0.3 s per measurement, nothing written; a few seconds, for the CI smoke
 * test (test/bench/smoke.test.ts).
 */
import { readFile, writeFile } from "node:fs/promises";
import { getHeapStatistics } from "node:v8";
import https from "node:https";
import { cpus, loadavg, platform, release, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Worker } from "node:worker_threads";
import { startEmulator, type EmulatorHandle } from "../src/emulator/index.js";

const { values } = parseArgs({
  options: {
    devices: { type: "string" },
    seconds: { type: "string" },
    "digest-devices": { type: "string" },
    "no-write": { type: "boolean" },
    smoke: { type: "boolean", default: process.env.BENCH_SMOKE === "1" },
  },
});
const SMOKE = values.smoke;
const IMPORT_SIZE = 500;
const PAGE_SIZE = 1000;
const DEVICES = Number(values.devices ?? (SMOKE ? "2000" : "100000"));
const HASH_BYTES = 3000; // ~4,000 base64 characters, like a real hardware hash
const SECONDS = Number(values.seconds ?? (SMOKE ? "0.3" : "5"));
const WARM_UP_SECONDS = Math.min(2, SECONDS);
const CONCURRENCY = 32;
const DAY = 86_400_000;
const WRITE = !values["no-write"] && !SMOKE;
/** Sizes of the memory rows (bytes held per device in each hashStorage mode). */
const HELD_SIZES = (values["digest-devices"] ?? (SMOKE ? "1000" : "100000,1000000")).split(",").map(Number);
const validSize = (n: number): boolean => Number.isSafeInteger(n) && n >= 2 * IMPORT_SIZE && n % IMPORT_SIZE === 0;
if (!validSize(DEVICES) || !HELD_SIZES.every(validSize) || !(SECONDS > 0)) {
  process.stderr.write(
    `usage: npm run bench:emulator -- [--devices N] [--digest-devices N[,N…]] (each a multiple of ${IMPORT_SIZE}, at least ${2 * IMPORT_SIZE}) [--seconds S] [--no-write] [--smoke]\n`,
  );
  process.exit(2);
}
const IMPORTS = DEVICES / IMPORT_SIZE;
/** The deepest page read: page 100 at 100k devices, the last one below that. */
const DEEP_PAGE = Math.min(100, Math.ceil(DEVICES / PAGE_SIZE));
const OPTIONS_LINE =
  `Options: emulator with throttling and faults off, processing held back a day, imports of at most ${IMPORT_SIZE}; ` +
  `${CONCURRENCY} concurrent requests for ${SECONDS} s per measurement after ${WARM_UP_SECONDS} s of warm-up; ` +
  `${DEVICES.toLocaleString("en-US")} devices in ${IMPORTS} imports of ${IMPORT_SIZE}, 4 concurrent, ${HASH_BYTES}-byte hashes` +
  (SMOKE ? "; smoke run (BENCH_SMOKE=1): tiny sizes, figures meaningless" : "");

interface LoadResult {
  readonly completed: number;
  readonly failed: number;
  readonly statuses: Record<string, number>;
  readonly seconds: number;
  readonly p50: number;
  readonly p99: number;
}

// Plain JavaScript so the worker needs no TypeScript loader.
const LOAD_GENERATOR = `
const { parentPort, workerData } = require("node:worker_threads");
const https = require("node:https");
const { crypto } = globalThis;
const { url, ca, token, mode, seconds, concurrency, total, batch, hashBytes } = workerData;
const agent = new https.Agent({ ca, keepAlive: true, maxSockets: concurrency });
const statuses = {};
const latencies = [];
let completed = 0, failed = 0, issued = 0;
function body(index) {
  if (mode === "get") return undefined;
  const device = (i) => ({ serialNumber: "BENCH-" + i, hardwareIdentifier: Buffer.from(crypto.getRandomValues(new Uint8Array(hashBytes))).toString("base64"), importId: "bench-" + Math.floor(i / batch) });
  if (mode === "post") return JSON.stringify(device(index));
  const first = index * batch;
  return JSON.stringify({ importedWindowsAutopilotDeviceIdentities: Array.from({ length: batch }, (_, k) => device(first + k)) });
}
function once(index) {
  const payload = body(index);
  const started = performance.now();
  return new Promise((resolve) => {
    const req = https.request(url, { method: mode === "get" ? "GET" : "POST", agent, headers: { authorization: "Bearer " + token, "content-type": "application/json" } }, (res) => {
      res.resume();
      res.on("end", () => { statuses[res.statusCode] = (statuses[res.statusCode] || 0) + 1; completed++; latencies.push(performance.now() - started); resolve(); });
    });
    req.on("error", () => { failed++; resolve(); });
    req.end(payload);
  });
}
(async () => {
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const more = () => (total === undefined ? performance.now() < deadline : issued < total);
  await Promise.all(Array.from({ length: concurrency }, async () => { while (more()) await once(issued++); }));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pick = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] || 0;
  agent.destroy();
  parentPort.postMessage({ completed, failed, statuses, seconds: elapsed, p50: pick(0.5), p99: pick(0.99) });
})();
`;

/** Runs the load generator; `busy` is the emulator's event-loop utilization meanwhile (1 = saturated). */
async function load(emulator: EmulatorHandle, workerData: Record<string, unknown>): Promise<LoadResult & { busy: number }> {
  const before = performance.eventLoopUtilization();
  const result = await runWorker(emulator, workerData);
  return { ...result, busy: performance.eventLoopUtilization(before).utilization };
}

function runWorker(emulator: EmulatorHandle, workerData: Record<string, unknown>): Promise<LoadResult> {
  const worker = new Worker(LOAD_GENERATOR, {
    eval: true,
    workerData: { ca: emulator.caCertificate, token: emulator.issueToken().token, hashBytes: HASH_BYTES, batch: IMPORT_SIZE, ...workerData },
  });
  return new Promise((resolve, reject) => {
    worker.once("message", (result: LoadResult) => resolve(result));
    worker.once("error", reject);
  });
}

function time<T>(run: () => T): { value: T; ms: number } {
  const started = performance.now();
  const value = run();
  return { value, ms: performance.now() - started };
}

const agent = new https.Agent({ keepAlive: true });

async function timedGet(emulator: EmulatorHandle, path: string, token: string): Promise<{ ms: number; body: { value?: unknown[]; "@odata.nextLink"?: string } }> {
  const started = performance.now();
  const body = await new Promise<string>((resolve, reject) => {
    https
      .get(path.startsWith("https:") ? path : `${emulator.graphUrl}${path}`, { agent, ca: emulator.caCertificate, headers: { authorization: `Bearer ${token}` } }, (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (text += chunk));
        res.on("end", () => resolve(text));
      })
      .on("error", reject);
  });
  return { ms: performance.now() - started, body: JSON.parse(body) as { value?: unknown[] } };
}

/** Median of several runs of a read, so one GC pause does not decide the figure. */
async function medianGet(emulator: EmulatorHandle, path: string, token: string, runs = 7): Promise<number> {
  const times: number[] = [];
  for (let index = 0; index < runs; index += 1) times.push((await timedGet(emulator, path, token)).ms);
  times.sort((a, b) => a - b);
  return times[Math.floor(runs / 2)] ?? 0;
}

const rate = (result: LoadResult): number => Math.round(result.completed / result.seconds);
const fmt = (ms: number): string => `${ms.toFixed(1)} ms`;
const pct = (share: number): string => `${Math.round(share * 100)}%`;
const heapMb = (): number => {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed / 1048576;
};

/** Heap held per staged + registered device pair once `devices` were imported and processed under `mode`. */
async function heldPerDevice(
  mode: "full" | "digest",
  devices: number,
): Promise<{ bytes: number; seconds: number; registered: number; statuses: Record<string, number> }> {
  const emulator = await startEmulator({
    scenario: { throttling: { enabled: false }, processing: { delayMs: DAY, spreadMs: 0 }, limits: { maxImportSize: IMPORT_SIZE, hashStorage: mode } },
  });
  const url = `${emulator.graphUrl}/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities/import`;
  const before = heapMb();
  const started = performance.now();
  const { statuses } = await runWorker(emulator, { url, mode: "import", concurrency: 4, total: devices / IMPORT_SIZE });
  emulator.clock.advance(DAY);
  const seconds = (performance.now() - started) / 1000;
  const { registered } = emulator.stats().devices;
  // Per device actually held: an import lost to a connection error on a loaded machine leaves fewer.
  const bytes = ((heapMb() - before) * 1048576) / Math.max(1, registered);
  await emulator.close();
  return { bytes, seconds, registered, statuses };
}

/** The memory rows: each size in both modes, skipping what cannot fit the heap limit. */
async function heldRows(log: (line: string) => void): Promise<void> {
  const projected = { full: 5_000, digest: 1_000 }; // bytes per device, generous, to decide what fits
  for (const devices of HELD_SIZES) {
    const cells: string[] = [];
    for (const mode of ["full", "digest"] as const) {
      const limit = getHeapStatistics().heap_size_limit;
      if (devices * projected[mode] > limit * 0.9) {
        cells.push(`${mode}: not run (≈ ${Math.round((devices * projected[mode]) / 1048576)} MiB would not fit the ${Math.round(limit / 1048576)} MiB heap limit)`);
        continue;
      }
      const held = await heldPerDevice(mode, devices);
      const short = held.registered === devices ? "" : `; ${held.registered.toLocaleString("en-US")} held, import statuses ${JSON.stringify(held.statuses)}`;
      const total = ((held.bytes * held.registered) / 1048576).toFixed(0);
      cells.push(`${mode}: **${Math.round(held.bytes).toLocaleString("en-US")} bytes** (${total} MiB; import + processing ${held.seconds.toFixed(0)} s${short})`);
    }
    log(`| heap held per staged + registered device pair (3 KB hashes, after GC), ${devices.toLocaleString("en-US")} devices, limits.hashStorage | ${cells.join("; ")} |`);
  }
}

async function main(): Promise<void> {
  const startLoad = loadavg()[0]?.toFixed(2) ?? "?";
  const emulator = await startEmulator({ scenario: { throttling: { enabled: false }, processing: { delayMs: DAY, spreadMs: 0 }, limits: { maxImportSize: IMPORT_SIZE } } });
  const staged = `${emulator.graphUrl}/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities`;
  const lines: string[] = [];
  const log = (line: string): void => {
    console.log(line);
    lines.push(line);
  };
  log(OPTIONS_LINE);

  // 1. Throughput on an almost empty tenant (after a warm-up, so the JIT is not measured).
  await load(emulator, { url: `${staged}/import`, mode: "import", concurrency: 1, total: 1 });
  const single = `${staged}/${emulator.devices().staged[0]?.id}`;
  await load(emulator, { url: single, mode: "get", seconds: WARM_UP_SECONDS, concurrency: CONCURRENCY });
  await load(emulator, { url: staged, mode: "post", seconds: WARM_UP_SECONDS, concurrency: CONCURRENCY });
  const getEmpty = await load(emulator, { url: single, mode: "get", seconds: SECONDS, concurrency: CONCURRENCY });
  const postEmpty = await load(emulator, { url: staged, mode: "post", seconds: SECONDS, concurrency: CONCURRENCY });
  emulator.reset();

  // 2. Import 100k devices (200 imports of 500, ~4 KB hashes), then let the service process them.
  const heapBefore = heapMb();
  const imported = await load(emulator, { url: `${staged}/import`, mode: "import", concurrency: 4, total: IMPORTS });
  const heapAfter = heapMb();
  // Processing is held back a day so that it can be timed on its own.
  const processing = time(() => emulator.clock.advance(DAY));
  const stats = emulator.stats();
  // The day that passed expired the first token.
  const freshToken = emulator.issueToken().token;

  // 3. The same reads with 100k staged + 100k registered devices held.
  const someId = emulator.devices().staged[DEVICES - 1]?.id;
  const getFull = await load(emulator, { url: `${staged}/${someId}`, mode: "get", seconds: SECONDS, concurrency: CONCURRENCY });
  const firstPage = await medianGet(emulator, `${staged}?$top=${PAGE_SIZE}`, freshToken);
  const page = await timedGet(emulator, `${staged}?$top=${PAGE_SIZE}`, freshToken);
  let link = page.body["@odata.nextLink"];
  for (let index = 2; index < DEEP_PAGE && link; index += 1) link = (await timedGet(emulator, link, freshToken)).body["@odata.nextLink"];
  if (DEEP_PAGE > 1 && !link) throw new Error(`paging stopped before page ${DEEP_PAGE}`);
  const deepPage = link ? await medianGet(emulator, link, freshToken) : firstPage;
  // An upload three quarters of the way in (bench-150 of 200 at 100k).
  const importId = `bench-${Math.floor((IMPORTS * 3) / 4)}`;
  const byImportPath = `${staged}?$filter=${encodeURIComponent(`importId eq '${importId}'`)}&$top=${PAGE_SIZE}`;
  const importPage = await timedGet(emulator, byImportPath, freshToken);
  if (importPage.body.value?.length !== IMPORT_SIZE) throw new Error("importId filter returned the wrong page");
  const byImport = await medianGet(emulator, byImportPath, freshToken);
  const contains = await medianGet(emulator, `${staged}?$filter=${encodeURIComponent(`contains(serialNumber,'BENCH-${DEVICES - 1}')`)}`, freshToken);
  const registeredContains = await medianGet(
    emulator,
    `/v1.0/deviceManagement/windowsAutopilotDeviceIdentities?$filter=${encodeURIComponent(`contains(serialNumber,'BENCH-${Math.floor(DEVICES * 0.04242)}')`)}`,
    freshToken,
  );

  const cpu = cpus();
  log(`Machine: ${cpu.length} × ${cpu[0]?.model ?? "unknown CPU"}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${platform()} ${release()}, Node ${process.version}; ${new Date().toISOString().slice(0, 10)}; load average at start ${startLoad} (the cores are shared: figures are a floor).`);
  log("Client: keep-alive HTTPS in a worker thread (own event loop); emulator on the main thread; throttling and faults off.");
  log("");
  log("| measurement | result |");
  log("|---|---|");
  log(`| GET one staged record, ${CONCURRENCY} concurrent, ${SECONDS} s, empty tenant | **${rate(getEmpty)} req/s** (p50 ${fmt(getEmpty.p50)}, p99 ${fmt(getEmpty.p99)}; ${getEmpty.failed} failed; emulator loop ${pct(getEmpty.busy)} busy) |`);
  log(`| POST create (stage one device, 4 KB hash), ${CONCURRENCY} concurrent | **${rate(postEmpty)} req/s** (p50 ${fmt(postEmpty.p50)}, p99 ${fmt(postEmpty.p99)}; emulator loop ${pct(postEmpty.busy)} busy) |`);
  const n = DEVICES.toLocaleString("en-US");
  const k = `${DEVICES / 1000}k`;
  log(`| import ${n} devices: ${IMPORTS} × import of ${IMPORT_SIZE}, 4 concurrent | ${imported.seconds.toFixed(1)} s, ${Math.round(DEVICES / imported.seconds)} devices/s (client-side JSON included), statuses ${JSON.stringify(imported.statuses)}, emulator loop ${pct(imported.busy)} busy |`);
  log(`| background processing of ${n} staged records (unknown → complete + registered) | ${fmt(processing.ms)} (${Math.round(DEVICES / (processing.ms / 1000))} records/s) |`);
  log(`| heap held for ${n} staged records with 4 KB hashes | ${(heapAfter - heapBefore).toFixed(0)} MiB (≈ ${(((heapAfter - heapBefore) * 1048576) / DEVICES / 1024).toFixed(1)} KiB per device) |`);
  log(`| GET one staged record, ${CONCURRENCY} concurrent, with ${k} staged + ${k} registered | **${rate(getFull)} req/s** (p50 ${fmt(getFull.p50)}, p99 ${fmt(getFull.p99)}; emulator loop ${pct(getFull.busy)} busy) |`);
  log(`| list first page ($top=${PAGE_SIZE}) / page ${DEEP_PAGE} via $skiptoken, ${k} held | ${fmt(firstPage)} / ${fmt(deepPage)} (median of 7, includes ~4 MB of JSON) |`);
  log(`| $filter=importId eq '…' (index), page of ${IMPORT_SIZE}, ${k} held | ${fmt(byImport)} |`);
  log(`| $filter=contains(serialNumber,'…') (scan of ${k}) staged / registered | ${fmt(contains)} / ${fmt(registeredContains)} |`);
  agent.destroy();
  emulator.reset(); // frees its devices before the memory rows measure
  await emulator.close();
  await heldRows(log);
  log("");
  log(`Stats after the run: ${stats.devices.staged} staged, ${stats.devices.registered} registered, outcomes ${JSON.stringify(stats.devices.outcomes)}.`);
  if (WRITE) await writeSection(lines);
}

/** Replaces (or appends) the "## Emulator" section of bench/RESULTS.md, leaving other sections alone. */
async function writeSection(lines: string[]): Promise<void> {
  const path = join(import.meta.dirname, "RESULTS.md");
  const section = ["## Emulator", "", "`npm run bench:emulator` (bench/emulator.bench.ts).", "", ...lines, ""].join("\n");
  let text = await readFile(path, "utf8").catch(() => "# Benchmark results\n\n");
  const start = text.indexOf("## Emulator\n");
  if (start >= 0) {
    const next = text.indexOf("\n## ", start + 1);
    text = text.slice(0, start) + section + (next >= 0 ? text.slice(next + 1) : "");
  } else {
    text = `${text.trimEnd()}\n\n${section}`;
  }
  await writeFile(path, text.endsWith("\n") ? text : `${text}\n`);
}

await main();
