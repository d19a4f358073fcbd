/**
 * Every benchmark in bench/ (each bench/*.bench.ts, found by listing the folder, so a new one is covered) runs at its
 * smoke size (BENCH_SMOKE=1) as a real child process, with the flags `npm run bench:emulator` uses (--expose-gc, tsx):
 * it must exit 0, print the line stating what it runs with ("Options: …") and its result lines, and write nothing into
 * bench/RESULTS.md. Timings are never asserted. The import, journal and reader benchmarks run the built CLI or reader
 * (dist/), which `npm test` builds before vitest runs.
 */
import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");
const BENCH = path.join(ROOT, "bench");
const RESULTS = path.join(BENCH, "RESULTS.md");
const BENCHES = readdirSync(BENCH)
  .filter((name) => name.endsWith(".bench.ts"))
  .sort();

const number = String.raw`\d[\d,.]*`;

/** What each benchmark's result lines look like at its smoke size: a new benchmark adds its own here. */
const RESULT_LINES: Readonly<Record<string, readonly RegExp[]>> = {
  "device-writes.bench.ts": [
    // command | devices | minimum | wall | wall / minimum | HTTP requests / device | requests in $batch / device | writes | 429s | peak RSS
    new RegExp(String.raw`^\| update \| 110 \| ${number} s \| ${number} s \| \*\*${number}×\*\* \| ${number} \| ${number} \| 110 \| \d+ \| ${number} MB \|$`, "m"),
    new RegExp(String.raw`^\| deregister \| 110 \| ${number} s \| ${number} s \| \*\*${number}×\*\* \| ${number} \| ${number} \| 110 \| \d+ \| ${number} MB \|$`, "m"),
  ],
  "emulator.bench.ts": [
    new RegExp(String.raw`^\| GET one staged record, 32 concurrent, ${number} s, empty tenant \| \*\*${number} req/s\*\*`, "m"),
    new RegExp(String.raw`^\| POST create \(stage one device, 4 KB hash\), 32 concurrent \| \*\*${number} req/s\*\*`, "m"),
    new RegExp(String.raw`^\| import 2,000 devices: 4 × import of 500, 4 concurrent \| ${number} s, ${number} devices/s .*statuses \{"200":4\}`, "m"),
    new RegExp(String.raw`^\| list first page \(\$top=1000\) / page 2 via \$skiptoken, 2k held \| ${number} ms / ${number} ms`, "m"),
    new RegExp(String.raw`^\| heap held per staged \+ registered device pair .*1,000 devices, limits\.hashStorage \| full: \*\*${number} bytes\*\* .*; digest: \*\*${number} bytes\*\*`, "m"),
    /^Stats after the run: 2000 staged, 2000 registered, outcomes \{"complete":2000\}\.$/m,
  ],
  "import.bench.ts": [
    // devices | batch | minimum | wall | wall / minimum | requests | requests / device | 429s | RSS
    new RegExp(String.raw`^\| 50 \| 10 \| ${number} s \| ${number} s \| \*\*${number}x\*\* \| \d+ \(5 imports, \d+ polling\) \| \*\*${number}\*\* \| 0 \| ${number} / \*\*${number} MB\*\* \|$`, "m"),
    // the cleanup, measured apart: devices | deleted | left | wall | deletes / s
    new RegExp(String.raw`^\| 50 \| 50 \| 0 \| ${number} s \| ${number} \|$`, "m"),
  ],
  "journal.bench.ts": [
    new RegExp(String.raw`^  outcomes fsynced never   : ${number} ms for all records`, "m"),
    new RegExp(String.raw`^  outcomes fsynced every   : ${number} ms for all records \(61 fsyncs`, "m"),
    /^ {2}replay: .* \(50 rows\)$/m,
    new RegExp(String.raw`^CLI import of 50 devices \(processing 1 s\), median of 1: journaled ${number} s .* no journal \(stdin\) ${number} s`, "m"),
  ],
  "reader.bench.ts": [
    new RegExp(String.raw`^\| 50 \(${number} MB\) \| our reader \| ${number} \(${number}\) \| ${number} \| ${number} \| ${number} \|$`, "m"),
    new RegExp(String.raw`^\| 50 \(${number} MB\) \| bare csv-parse \| ${number} \(${number}\) \|`, "m"),
  ],
};

interface Ran {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function runBench(name: string): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--expose-gc", "--import", "tsx", path.join(BENCH, name)],
      { cwd: ROOT, env: { ...process.env, BENCH_SMOKE: "1" }, timeout: 50_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === "number" ? error.code : null) : 0, stdout, stderr }),
    );
  });
}

describe("benchmarks at their smoke size", () => {
  it("finds the benchmarks", () => {
    expect(BENCHES).toEqual(expect.arrayContaining(["emulator.bench.ts", "import.bench.ts", "journal.bench.ts", "reader.bench.ts"]));
  });

  it.each(BENCHES)("%s runs, states its options and prints its results", async (name) => {
    const results = readFileSync(RESULTS, "utf8");
    const ran = await runBench(name);
    expect(ran.code, `${name} failed:\n${ran.stderr.slice(-3000)}`).toBe(0);
    expect(ran.stdout).toMatch(/^Options: .+; smoke run \(BENCH_SMOKE=1\)/m);
    const patterns = RESULT_LINES[name];
    expect(patterns, `add the result lines ${name} prints at its smoke size to RESULT_LINES in ${path.relative(ROOT, import.meta.filename)}`).toBeDefined();
    for (const pattern of patterns ?? []) expect(ran.stdout).toMatch(pattern);
    expect(readFileSync(RESULTS, "utf8"), `${name} wrote bench/RESULTS.md in its smoke run`).toBe(results);
  }, 60_000);
});
