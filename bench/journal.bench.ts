/**
 * Journal benchmark: what crash safety costs on a 10,000-device import.
 *
 *   npm run build && npm run bench:journal -- [--rows 10000] [--batch 500] [--runs 3] [--delay 5] [--skip-cli]
 *
 * 1. In process: the journal records of such an import (one upload-planned and one upload-submitted record per
 *    upload, fsynced; one device-outcome per row), with outcomes fsynced per record, every second (the default) or
 *    never; the cost of one fsync; replaying the journal; the SHA-256 fingerprint of the CSV.
 * 2. The built CLI against the emulator (in this process, processing `--delay` s), alternating a journaled run
 *    (`import FILE --fresh`) and one without a journal (the same file on standard input), both with
 *    `--batch-size B --no-verify --no-sync --no-cleanup --log-level silent`: wall time of submission and polling. The
 *    steps after the import (and the cleanup's deletes, paced by the write budget) would only add the same time to both.
 *
 * BENCH_SMOKE=1 (or --smoke): 50 rows in batches of 10, one run, 1 s processing, files in a temporary directory; a few
 * seconds, for the CI smoke test (test/bench/smoke.test.ts).
 */
import { spawn } from "node:child_process";
import { createReadStream, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { emulatorEnv, startEmulator } from "../src/emulator/index.js";
import { writeDeviceCsv } from "../test/support/fixtures/generate.js";
import type { ImportReportRow, Upload } from "../src/pipeline/types.js";
import { fingerprintFiles } from "../src/state/fingerprint.js";
import { openJournal } from "../src/state/journal.js";
import { replayJournal } from "../src/state/replay.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const BIN = path.join(ROOT, "dist/cli/bin.js");
const { values } = parseArgs({
  options: {
    rows: { type: "string" },
    batch: { type: "string" },
    runs: { type: "string" },
    delay: { type: "string" },
    "skip-cli": { type: "boolean", default: false },
    smoke: { type: "boolean", default: process.env.BENCH_SMOKE === "1" },
  },
});
const SMOKE = values.smoke;
const ROWS = Number(values.rows ?? (SMOKE ? "50" : "10000"));
const BATCH = Number(values.batch ?? (SMOKE ? "10" : "500"));
const RUNS = Number(values.runs ?? (SMOKE ? "1" : "3"));
const DELAY_S = Number(values.delay ?? (SMOKE ? "1" : "5"));
if ([ROWS, BATCH, RUNS].some((n) => !Number.isSafeInteger(n) || n <= 0) || !(DELAY_S >= 0)) {
  process.stderr.write("usage: npm run bench:journal -- [--rows 10000] [--batch 500] [--runs 3] [--delay 5] [--skip-cli] [--smoke]\n");
  process.exit(2);
}
/** The CLI's flags in both runs (the input and --state-dir/--report aside). */
const CLI_FLAGS = ["--batch-size", String(BATCH), "--no-verify", "--no-sync", "--no-cleanup", "--log-level", "silent"];
const OPTIONS_LINE =
  `Options: ${ROWS} rows, batches of ${BATCH}, ${RUNS} run(s) each; ` +
  (values["skip-cli"] ? "CLI runs skipped (--skip-cli)" : `CLI: autopilot-import import FILE|- ${CLI_FLAGS.join(" ")} (journaled: FILE --state-dir DIR --fresh), emulator processing ${DELAY_S} s fixed`) +
  (SMOKE ? "; smoke run (BENCH_SMOKE=1): tiny sizes, figures meaningless" : "");

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (n: number): string => `${n.toFixed(1)} ms`;

function outcome(line: number): ImportReportRow {
  return {
    file: "devices.csv",
    line,
    serialNumber: `SERIAL-${line}`,
    status: "imported",
    errorCode: "",
    errorName: "",
    message: "imported",
    groupTag: "",
    assignedUser: "",
    uploadId: "4b0c8f4e-6f35-4a53-9f5e-1d8f0f1c2a3b",
    importedDeviceId: `2a3b4c5d-${String(line).padStart(4, "0")}-4e5f-8a9b-0c1d2e3f4a5b`,
    deviceRegistrationId: `9f8e7d6c-${String(line).padStart(4, "0")}-4b3a-9c8d-7e6f5a4b3c2d`,
    registered: "unchecked",
  };
}

/** The journal work of one import; `outcomes`: how outcome records are made durable. */
async function journalRun(dir: string, outcomes: "every" | "periodic" | "never"): Promise<{ ms: number; syncs: number; bytes: number; file: string }> {
  const file = path.join(dir, `${outcomes}.jsonl`);
  rmSync(file, { force: true });
  const { journal } = await openJournal({
    file,
    run: { run: "0123456789abcdef", files: [{ name: "devices.csv", path: "/in/devices.csv", size: 1, mtimeMs: 0, sha256: "a".repeat(64) }], tenant: "t", endpoint: "https://graph.microsoft.com", tool: "bench" },
    outcomeSyncMs: outcomes === "periodic" ? 1_000 : 3_600_000,
  });
  const started = performance.now();
  for (let first = 2; first < ROWS + 2; first += BATCH) {
    const lines = Array.from({ length: Math.min(BATCH, ROWS + 2 - first) }, (_, i) => first + i);
    const upload: Upload = {
      id: `upload-${first}`,
      createdDateTimeUtc: "",
      status: "noUpload",
      size: lines.length,
      devices: lines.map((line) => ({ location: { file: "devices.csv", line }, device: { serialNumber: `SERIAL-${line}`, hardwareIdentifier: "" } })),
    };
    journal.uploadPlanned(upload);
    journal.uploadSubmitted(upload.id, {
      staged: lines.map((line) => ({ location: { file: "devices.csv", line }, serialNumber: `SERIAL-${line}`, stagedId: outcome(line).importedDeviceId })),
      rejected: [],
      notStaged: [],
      reconciled: false,
      stagedAt: Date.now(),
    });
  }
  for (let line = 2; line < ROWS + 2; line++) {
    if (outcomes === "every") journal.append({ ...outcomeRecord(line) }, true);
    else journal.rowOutcome(outcome(line), "polled");
  }
  if (outcomes !== "never") journal.flush();
  const elapsed = performance.now() - started;
  const syncs = journal.syncs;
  journal.close();
  return { ms: elapsed, syncs, bytes: statSync(file).size, file };
}

function outcomeRecord(line: number) {
  const row = outcome(line);
  return {
    type: "device-outcome" as const,
    phase: "polled" as const,
    f: 0,
    l: line,
    serial: row.serialNumber,
    status: row.status,
    errorCode: "",
    errorName: "",
    message: "",
    uploadId: row.uploadId,
    stagedId: row.importedDeviceId,
    registrationId: row.deviceRegistrationId,
    registered: row.registered,
  };
}

/** The import benchmark's file for this size (kept in bench/data), or a throwaway one in `dir` when smoke. */
async function ensureCsv(dir: string): Promise<string> {
  const file = SMOKE ? path.join(dir, `import-${ROWS}.csv`) : path.join(ROOT, "bench/data", `import-${ROWS}.csv`);
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true });
    await writeDeviceCsv(file, { rows: ROWS, seed: ROWS, serialPrefix: `B${ROWS}-` });
  }
  return file;
}

async function cliRun(file: string, journaled: boolean, env: Record<string, string>, dir: string): Promise<number> {
  const args = [BIN, "import", journaled ? file : "-", ...CLI_FLAGS, "--report", path.join(dir, "report.csv"), "--state-dir", path.join(dir, "state"), "--fresh"];
  const started = performance.now();
  const child = spawn(process.execPath, args, { cwd: dir, env: { PATH: process.env.PATH ?? "", ...env }, stdio: [journaled ? "ignore" : "pipe", "ignore", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  if (!journaled) createReadStream(file).pipe(child.stdin!);
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  if (code !== 0) throw new Error(`import exited ${code}: ${stderr.slice(-1000)}`);
  return (performance.now() - started) / 1000;
}

async function main(): Promise<void> {
  if (!values["skip-cli"] && !existsSync(BIN)) throw new Error("run `npm run build` first: the benchmark runs the built CLI");
  const dir = mkdtempSync(path.join(tmpdir(), "journal-bench-"));
  try {
    await measure(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function measure(dir: string): Promise<void> {
  const uploads = Math.ceil(ROWS / BATCH);
  process.stdout.write(`${OPTIONS_LINE}\n`);
  process.stdout.write(`journal of a ${ROWS.toLocaleString("en-US")}-device import, ${uploads} uploads of ${BATCH}\n`);
  for (const policy of ["never", "periodic", "every"] as const) {
    const times: number[] = [];
    let last = { syncs: 0, bytes: 0 };
    for (let i = 0; i < RUNS; i++) {
      const run = await journalRun(dir, policy);
      times.push(run.ms);
      last = run;
    }
    process.stdout.write(`  outcomes fsynced ${policy.padEnd(8)}: ${ms(median(times))} for all records (${last.syncs} fsyncs, journal ${(last.bytes / 1024).toFixed(0)} KiB)\n`);
  }
  const { file } = await journalRun(dir, "periodic");
  const replayStart = performance.now();
  const { state } = await replayJournal(file);
  process.stdout.write(`  replay: ${ms(performance.now() - replayStart)} (${state.rows.size} rows)\n`);
  const csv = await ensureCsv(dir);
  const fpStart = performance.now();
  await fingerprintFiles([csv], ROOT);
  process.stdout.write(`  fingerprint (SHA-256) of the ${(statSync(csv).size / 2 ** 20).toFixed(0)} MiB CSV: ${ms(performance.now() - fpStart)}\n`);
  if (values["skip-cli"]) return;

  const emulator = await startEmulator({ scenario: { processing: { delayMs: DELAY_S * 1000, spreadMs: 0 } } });
  const env = emulatorEnv(emulator);
  const walls: Record<"journal" | "none", number[]> = { journal: [], none: [] };
  try {
    for (let i = 0; i < RUNS; i++) {
      for (const journaled of i % 2 === 0 ? [true, false] : [false, true]) {
        emulator.reset();
        walls[journaled ? "journal" : "none"].push(await cliRun(csv, journaled, env, dir));
      }
    }
  } finally {
    await emulator.close();
  }
  const j = median(walls.journal);
  const n = median(walls.none);
  process.stdout.write(
    `CLI import of ${ROWS.toLocaleString("en-US")} devices (processing ${DELAY_S} s), median of ${RUNS}: journaled ${j.toFixed(2)} s ` +
      `[${walls.journal.map((w) => w.toFixed(2)).join(", ")}], no journal (stdin) ${n.toFixed(2)} s [${walls.none.map((w) => w.toFixed(2)).join(", ")}]: ` +
      `${(j - n >= 0 ? "+" : "")}${(j - n).toFixed(2)} s (${(((j - n) / n) * 100).toFixed(1)}%)\n`,
  );
}

await main();
