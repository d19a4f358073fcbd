/**
 * The graceful and the awkward paths of resuming, with the real CLI against the emulator: SIGTERM (exit 143, how to
 * resume), SIGINT twice (out at once), a journal whose last line was torn, a second process on a locked state
 * directory, `status`, and --fresh.
 */
import { appendFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, truncateSync, statSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emulatorEnv, startEmulator, type EmulatorHandle } from "../../src/emulator/index.js";
import { seededRandom } from "../../src/util/random.js";
import { runCli, startCli, type CliResult, type RunningCli } from "../support/cli-process.js";
import { devicesNamed, makeHash, readCsvReport, writeCsv, type CsvDevice } from "../support/device-csv.js";
import { cliImportSetup, journalOf, type CliImportSetup } from "./cli-runs.js";
import { until } from "../support/until.js";

// No cleanup of staged records (but in the SIGTERM test, whose signals may land in it): under this throttling it is
// most of a finished run's time, and its own suites (cleanup-cli.test.ts, run-ends.test.ts) cover it.
const setup = (prefix: string, devices: readonly CsvDevice[], extra: readonly string[] = []): CliImportSetup =>
  cliImportSetup(`autopilot-import-resume-${prefix}`, devices, ["--no-cleanup", ...extra]);
let emulator: EmulatorHandle;
let env: Record<string, string>;
const random = seededRandom(7_143);

beforeAll(async () => {
  emulator = await startEmulator({
    scenario: {
      seed: 11,
      clock: { speed: 20 },
      processing: { delayMs: 20_000, spreadMs: 40_000 },
      throttling: { writesPerWindow: 6 },
      faults: { latency: { rate: 0.3, minMs: 1, maxMs: 30 }, reset: { rate: 0.03, tookEffectRatio: 0.5 }, status503: { rate: 0.03 } },
      outcomes: { stuckSerials: ["LOCK-STUCK"] },
    },
  });
  env = { ...emulatorEnv(emulator), AUTOPILOT_IMPORT_LOG_LEVEL: "warn" };
});
afterAll(() => emulator?.close());

function submittedOf(prefix: string): Record<string, number> {
  return Object.fromEntries(Object.entries(emulator.stats().submissions.bySerial).filter(([serial]) => serial.startsWith(prefix)));
}

/** Each device of `devices` reached the emulator exactly once. */
function expectEachSubmittedOnce(prefix: string, devices: readonly CsvDevice[]): void {
  const counts = submittedOf(prefix);
  expect(Object.keys(counts).sort()).toEqual(devices.map((d) => d.serial).sort());
  expect(Object.entries(counts).filter(([, n]) => n !== 1)).toEqual([]);
}

/** Whether process `pid` has opened its run: the journal holds its session record. */
function sessionJournaled(stateDir: string, pid: number | undefined): boolean {
  const runs = path.join(stateDir, "runs");
  if (pid === undefined || !existsSync(runs)) return false;
  return readdirSync(runs).some((name) => name.endsWith(".jsonl") && readFileSync(path.join(runs, name), "utf8").includes(`"type":"session","pid":${pid},`));
}

function start(s: CliImportSetup, more: string[] = []): RunningCli {
  return startCli([...s.args, ...more], { env, cwd: s.dir });
}

describe("resuming the real CLI", () => {
  it("SIGTERM: exit 143, the report so far, how to resume; again and again until the run finishes", async () => {
    const devices = devicesNamed("TERM-", 60);
    const s = cliImportSetup("autopilot-import-resume-TERM-", devices);
    let reported = 0;
    for (let i = 0; i < 5; i++) {
      const cli = start(s);
      // A busy machine may take seconds to start a process: signal only once its run is open.
      await until(() => cli.exited() || sessionJournaled(s.stateDir, cli.child.pid), "the run to open", 30_000);
      // Let it work a little (a few more devices submitted, or a while of polling), then stop it politely.
      const target = Object.keys(submittedOf("TERM-")).length + random.between(3, 12);
      const deadline = Date.now() + random.between(300, 1_500);
      await until(() => cli.exited() || (Object.keys(submittedOf("TERM-")).length >= target && Date.now() >= deadline) || Date.now() > deadline + 4_000, "progress");
      if (cli.exited()) break;
      cli.child.kill("SIGTERM");
      const result = await cli.result;
      if (result.code === 0) break; // it finished before the signal arrived
      expect(result.code, result.stderr).toBe(143);
      expect(result.stderr).toContain(`the rows finished so far are in ${s.report}`);
      expect(result.stderr).toMatch(/to finish it, run the same command again:\n {2}autopilot-import import .*devices\.csv --report .*report\.csv/);
      // The partial report: only rows with an outcome, each once; and never fewer than the last one had.
      const rows = readCsvReport(s.report);
      expect(rows.map((r) => r.line).filter((line, i, all) => all.indexOf(line) !== i), "rows reported twice").toEqual([]);
      expect(rows.every((r) => ["imported", "failed"].includes(r.status))).toBe(true);
      expect(rows.length).toBeGreaterThanOrEqual(reported);
      reported = rows.length;
    }
    const last = await start(s).result;
    expect(last.code, last.stderr).toBe(0);
    expect(JSON.parse(last.stdout)).toMatchObject({ rows: 60, imported: 60, submitted: 60 });
    expect(readCsvReport(s.report)).toHaveLength(60);
    expectEachSubmittedOnce("TERM-", devices);
  }, 180_000); // up to six runs of the CLI, each started on a machine that may be busy

  it("a second signal exits at once, and the journal still resumes cleanly", async () => {
    const devices = devicesNamed("TWICE-", 30);
    const s = setup("TWICE-", devices);
    const cli = start(s);
    await until(() => Object.keys(submittedOf("TWICE-")).length >= 10, "submissions");
    cli.child.kill("SIGINT");
    cli.child.kill("SIGINT");
    const stopped = Date.now();
    const result = await cli.result;
    expect(Date.now() - stopped).toBeLessThan(2_000);
    expect(result.code).toBe(130);
    const last = await start(s).result;
    expect(last.code, last.stderr).toBe(0);
    expect(readCsvReport(s.report)).toHaveLength(30);
    expectEachSubmittedOnce("TWICE-", devices);
  });

  it("a journal whose last line is torn (and garbage after it): ignored, cut off, the run finishes", async () => {
    const devices = devicesNamed("TORN-", 40);
    const s = setup("TORN-", devices);
    const cli = start(s);
    // Kill it while it polls: its last record is then an outcome, a line a power loss may tear (not yet fsynced).
    await until(() => existsSync(path.join(s.stateDir, "runs")) && readdirSync(path.join(s.stateDir, "runs")).length > 0, "the journal");
    const journal = journalOf(s.stateDir);
    await until(() => readFileSync(journal, "utf8").split("\n").filter(Boolean).filter((l) => l.includes('"device-outcome"')).length >= 5, "outcomes");
    cli.child.kill("SIGKILL");
    await cli.result;
    const lines = readFileSync(journal, "utf8").split("\n").filter(Boolean);
    const lastLine = lines[lines.length - 1]!;
    expect(lastLine).toContain('"device-outcome"');
    truncateSync(journal, statSync(journal).size - 1 - Math.floor(lastLine.length / 2));
    appendFileSync(journal, Buffer.alloc(64));
    const resumed = await start(s).result;
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/the journal's last record was torn by an interrupted write \(\d+ bytes\): ignored and cut off/);
    expect(resumed.stderr).toContain("resuming run");
    expect(readCsvReport(s.report)).toHaveLength(40);
    expect(new Set(readCsvReport(s.report).map((r) => r.serialNumber)).size).toBe(40);
    expectEachSubmittedOnce("TORN-", devices);
    // Nothing torn is left behind: every line of the journal is whole.
    const text = readFileSync(journal, "utf8");
    expect(text.endsWith("\n")).toBe(true);
    expect(text.split("\n").filter(Boolean).every((l) => l.startsWith('{"r":'))).toBe(true);
  });

  it("a second process on a locked state directory refuses (exit 2) and names the holder; status shows it", async () => {
    const devices = [...devicesNamed("LOCK-", 4), { serial: "LOCK-STUCK", hash: makeHash() }];
    const s = setup("LOCK-", devices, ["--poll-timeout", "60s"]);
    const holder = start(s);
    await until(() => existsSync(path.join(s.stateDir, "lock")) && Object.keys(submittedOf("LOCK-")).length === 5, "the first import to hold the lock");
    const second = await start(s).result;
    expect(second.code).toBe(2);
    expect(second.stderr).toContain(`the state directory ${s.stateDir} is in use by process ${holder.child.pid} on host ${hostname()} since`);
    expect(second.stderr).toContain("(import)");
    // The lock is the directory's: another input is refused too.
    const other = writeCsv(s.dir, "other.csv", devicesNamed("LOCKOTHER-", 1));
    const third = await runCli(["import", other, "--state-dir", s.stateDir], { env, cwd: s.dir });
    expect(third.code).toBe(2);
    const status = await runCli(["status", "--state-dir", s.stateDir], { cwd: s.dir });
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`locked by process ${holder.child.pid} on host ${hostname()}`);
    expect(status.stdout).toMatch(/not finished/);
    holder.child.kill("SIGTERM");
    expect((await holder.result).code).toBe(143);
    expect(existsSync(path.join(s.stateDir, "lock"))).toBe(false);
    expect(Object.keys(submittedOf("LOCKOTHER-"))).toEqual([]);
  });

  it("status lists runs and how to resume them; a finished run is replayed without sending; --fresh starts over", async () => {
    const devices = devicesNamed("STAT-", 12);
    const s = setup("STAT-", devices);
    const cli = start(s);
    await until(() => Object.keys(submittedOf("STAT-")).length >= 5, "submissions");
    cli.child.kill("SIGKILL");
    await cli.result;
    const unfinished = await runCli(["status", "--json"], { env: { AUTOPILOT_IMPORT_STATE_DIR: s.stateDir }, cwd: s.dir });
    const before = JSON.parse(unfinished.stdout) as { stateDir: string; lock: unknown; runs: Array<Record<string, unknown>> };
    expect(before.stateDir).toBe(s.stateDir);
    expect(before.runs).toHaveLength(1);
    const run = before.runs[0]!;
    expect(run).toMatchObject({ finished: false, archived: false, tenant: emulator.tenantId.toLowerCase(), endpoint: emulator.graphUrl, attempts: 1 });
    // Killed after some submissions: their uploads are journaled (confirmed or not, depending on the moment).
    expect((run.uploads as { planned: number }).planned).toBeGreaterThan(0);
    expect(run.resume).toBe(`autopilot-import import ${s.file} --tenant ${emulator.tenantId.toLowerCase()} --graph-url ${emulator.graphUrl} --state-dir ${s.stateDir}`);

    const finished: CliResult = await start(s).result;
    expect(finished.code, finished.stderr).toBe(0);
    const human = await runCli(["status", "--state-dir", s.stateDir], { cwd: s.dir });
    expect(human.stdout).toContain(`State directory ${s.stateDir}: not locked`);
    expect(human.stdout).toMatch(/Run [0-9a-f]{16}: finished at /);
    expect(human.stdout).toContain("12 rows: 12 valid, 0 invalid, 0 duplicates");
    expect(human.stdout).toContain("12 (12 imported); 0 staged and still processing");

    // The same command once more: finished, nothing sent, every row reported from the journal.
    const replay = await start(s).result;
    expect(replay.code).toBe(0);
    expect(replay.stderr).toMatch(/run [0-9a-f]{16} finished at .*nothing is sent again/);
    expect(JSON.parse(replay.stdout)).toMatchObject({ rows: 12, imported: 12, submitted: 12 });
    expectEachSubmittedOnce("STAT-", devices);

    // --fresh: the journal is archived and the devices are sent again (already registered now: 806).
    const fresh = await start(s, ["--fresh"]).result;
    expect(fresh.stderr).toMatch(/--fresh: starting these files over; the previous journal of this run is kept as .*\.archived-\d{8}T\d{6}Z\.jsonl/);
    expect(JSON.parse(fresh.stdout)).toMatchObject({ rows: 12, alreadyRegistered: 12 });
    expect(Object.values(submittedOf("STAT-")).every((n) => n === 2)).toBe(true);
    const after = JSON.parse((await runCli(["status", "--json", "--state-dir", s.stateDir], { cwd: s.dir })).stdout) as { runs: Array<{ archived: boolean; finished: boolean }> };
    expect(after.runs.map((r) => [r.archived, r.finished])).toEqual([[false, true], [true, true]]);
  });

  it("standard input is imported without a journal, and says it cannot be resumed", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "autopilot-import-resume-stdin-"));
    const file = writeCsv(dir, "in.csv", devicesNamed("STDIN-", 2));
    const result = await runCli(["import", "-", "--report", path.join(dir, "r.csv"), "--no-sync", "--no-verify"], { env, cwd: dir, stdin: readFileSync(file) });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("standard input (-) cannot be resumed: no journal is kept for this run");
    expect(existsSync(path.join(dir, ".autopilot-import"))).toBe(false);
  });
});
