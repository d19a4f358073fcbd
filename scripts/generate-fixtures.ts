/**
 * Streams a large, realistic hardware-hash CSV to a file:
 *   npm run fixtures:generate -- --rows N --out FILE [--invalid-rate R] [--seed S] [--encoding utf-8|utf-16le]
 *                                [--layout admin|powershell|oem]
 */
import { parseArgs } from "node:util";
import { writeDeviceCsv, type DeviceCsvLayout } from "../test/support/fixtures/generate.js";

const usage =
  "usage: npm run fixtures:generate -- --rows N --out FILE [--invalid-rate R] [--seed S] [--encoding utf-8|utf-16le] [--layout admin|powershell|oem]";

function fail(message: string): never {
  process.stderr.write(`fixtures:generate: ${message}\n${usage}\n`);
  process.exit(2);
}

function parse() {
  try {
    return parseArgs({
      options: {
        rows: { type: "string" },
        out: { type: "string" },
        "invalid-rate": { type: "string", default: "0" },
        seed: { type: "string", default: "1" },
        encoding: { type: "string", default: "utf-8" },
        layout: { type: "string", default: "admin" },
      },
      strict: true,
    }).values;
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error));
  }
}

const values = parse();
const rows = Number(values.rows);
const invalidRate = Number(values["invalid-rate"]);
const seed = Number(values.seed);
if (values.rows === undefined || !Number.isSafeInteger(rows) || rows < 0) fail("--rows must be a whole number ≥ 0");
if (values.out === undefined) fail("--out is required");
if (!(invalidRate >= 0 && invalidRate <= 1)) fail("--invalid-rate must be between 0 and 1");
if (!Number.isSafeInteger(seed)) fail("--seed must be a whole number");
if (values.encoding !== "utf-8" && values.encoding !== "utf-16le") fail("--encoding must be utf-8 or utf-16le");
if (!["admin", "powershell", "oem"].includes(values.layout)) fail("--layout must be admin, powershell or oem");

const started = performance.now();
const stats = await writeDeviceCsv(values.out, {
  rows,
  invalidRate,
  seed,
  encoding: values.encoding,
  layout: values.layout as DeviceCsvLayout,
});
const seconds = (performance.now() - started) / 1000;
process.stderr.write(
  `${values.out}: ${stats.rows} rows (${stats.valid} valid, ${stats.invalid} invalid, ${stats.duplicates} duplicates), ` +
    `${(stats.bytes / 1024 / 1024).toFixed(1)} MB in ${seconds.toFixed(1)} s\n`,
);
