/**
 * Journal benchmark: what crash safety costs on a 10,000-device import.
 *
 *   npm run build && npx tsx bench/journal.bench.ts [--rows 10000] [--batch 500] [--runs 3] [--delay 5] [--skip-cli]
 *
 * 1. In process: the journal records of such an import (one upload-planned and one upload-submitted record per
 *    upload, fsynced; one device-outcome per row), with outcomes fsynced per record, every second (the default) or
 *    never; the cost of one fsync; replaying the journal; the SHA-256 fingerprint of the CSV.
 * 2. The built CLI against the emulator (in this process, processing `--delay` s, no verify or sync), alternating a
 *    journaled run (file input, --fresh) and one without a journal (the same file on standard input): wall time.
 */
import { spawn } from "node:child_process";
import { createReadStream, existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { emulatorEnv, startEmulator } from "../src/emulator/index.js";
import { writeDeviceCsv } from "../src/fixtures/generate.js";
import type { ImportReportRow, Upload } from "../src/pipeline/types.js";
import { fingerprintFiles } from "../src/state/fingerprint.js";
import { openJournal } from "../src/state/journal.js";
import { replayJournal } from "../src/state/replay.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const BIN = path.join(ROOT, "dist/cli/bin.js");
const { values } = parseArgs({
  options: {
    rows: { type: "string", default: "10000" },
    batch: { type: "string", default: "500" },
    runs: { type: "string", default: "3" },
    delay: { type: "string", default: "5" },
    "skip-cli": { type: "boolean", default: false },
  },
});
const ROWS = Number(values.rows);
const BATCH = Number(values.batch);

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
    message: "",
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

async function ensureCsv(): Promise<string> {
  const file = path.join(ROOT, "bench/data", `import-${ROWS}.csv`);
  if (!existsSync(file)) await writeDeviceCsv(file, { rows: ROWS, seed: ROWS, serialPrefix: `B${ROWS}-` });
  return file;
}

async function cliRun(file: string, journaled: boolean, env: Record<string, string>, dir: string): Promise<number> {
  const args = [BIN, "import", journaled ? file : "-", "--batch-size", String(BATCH), "--report", path.join(dir, "report.csv"), "--no-verify", "--no-sync", "--log-level", "silent", "--state-dir", path.join(dir, "state"), "--fresh"];
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
  const dir = mkdtempSync(path.join(tmpdir(), "journal-bench-"));
  const uploads = Math.ceil(ROWS / BATCH);
  process.stdout.write(`journal of a ${ROWS.toLocaleString("en-US")}-device import, ${uploads} uploads of ${BATCH}\n`);
  for (const policy of ["never", "periodic", "every"] as const) {
    const times: number[] = [];
    let last = { syncs: 0, bytes: 0 };
    for (let i = 0; i < Number(values.runs); i++) {
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
  const csv = await ensureCsv();
  const fpStart = performance.now();
  await fingerprintFiles([csv], ROOT);
  process.stdout.write(`  fingerprint (SHA-256) of the ${(statSync(csv).size / 2 ** 20).toFixed(0)} MiB CSV: ${ms(performance.now() - fpStart)}\n`);
  if (values["skip-cli"]) return;

  const emulator = await startEmulator({ scenario: { processing: { delayMs: Number(values.delay) * 1000, spreadMs: 0 } } });
  const env = emulatorEnv(emulator);
  const walls: Record<"journal" | "none", number[]> = { journal: [], none: [] };
  try {
    for (let i = 0; i < Number(values.runs); i++) {
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
    `CLI import of ${ROWS.toLocaleString("en-US")} devices (processing ${values.delay} s), median of ${values.runs}: journaled ${j.toFixed(2)} s ` +
      `[${walls.journal.map((w) => w.toFixed(2)).join(", ")}], no journal (stdin) ${n.toFixed(2)} s [${walls.none.map((w) => w.toFixed(2)).join(", ")}]: ` +
      `${(j - n >= 0 ? "+" : "")}${(j - n).toFixed(2)} s (${(((j - n) / n) * 100).toFixed(1)}%)\n`,
  );
}

await main();
