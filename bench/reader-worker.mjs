// One reader benchmark measurement in a fresh process, so that peak RSS belongs to this run alone.
// Plain JavaScript over the built library (dist/): the product runs that way, and a TypeScript loader
// would add tens of MB to the RSS being measured. Usage: node bench/reader-worker.mjs <reader|bare> <file>
// Prints one JSON line: { mode, rows, bytes, seconds, cpuSeconds, peakRssMb }.
import { createReadStream, statSync } from "node:fs";
import { pipeline } from "node:stream/promises";
import { parse } from "csv-parse";
import { openDeviceReader } from "../dist/csv/reader.js";

const [mode, file] = process.argv.slice(2);
if ((mode !== "reader" && mode !== "bare") || file === undefined) {
  process.stderr.write("usage: node bench/reader-worker.mjs <reader|bare> <file>\n");
  process.exit(2);
}

/** Our reader: detect encoding and delimiter, parse, validate every row, track duplicates. */
async function runReader(path) {
  const reader = openDeviceReader([path]);
  let rows = 0;
  for await (const _row of reader.rows()) rows++;
  const error = reader.files[0]?.error;
  if (error) throw new Error(error);
  return rows;
}

/** Bare csv-parse, default options, over the same bytes: the baseline. */
async function runBare(path) {
  const parser = parse();
  const done = pipeline(createReadStream(path, { highWaterMark: 64 * 1024 }), parser);
  let records = 0;
  for await (const _record of parser) records++;
  await done;
  return records - 1; // the header line
}

const started = performance.now();
const cpuStarted = process.cpuUsage();
const rows = mode === "reader" ? await runReader(file) : await runBare(file);
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuStarted);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
const peakRssMb = process.resourceUsage().maxRSS / 1024;
process.stdout.write(`${JSON.stringify({ mode, rows, bytes: statSync(file).size, seconds, cpuSeconds, peakRssMb })}\n`);
