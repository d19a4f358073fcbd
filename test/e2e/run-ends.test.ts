/**
 * A run ends when its work is done, with the real CLI against the emulator (HTTPS, real credential): the summary and
 * the report path come before a sync's wait for its 10-minute window (shown as it happens, then one more trigger) and
 * before the cleanup's remainder; a cleanup left over prints the complete command that finishes it, and the next
 * import in the same state directory picks it up; SIGINT during the cleanup exits with the import's own code; the
 * bar's and the summary's words; a header-only input.
 */
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import https from "node:https";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emulatorEnv, startEmulator, type EmulatorHandle } from "../../src/emulator/index.js";
import { runCli, startCli, type CliResult } from "../support/cli-process.js";
import { devicesNamed, makeHash, readCsvReport, writeCsv } from "../support/device-csv.js";
import { rawRequest } from "../support/emulator-client.js";
import { routeCounts, SYNC_ROUTE } from "../support/emulator-harness.js";
import { SYNC_DUE_FILE } from "../../src/state/sync-due.js";

let emulator: EmulatorHandle;
let env: Record<string, string>;

// 60x: the sync's 10-minute rule lasts 10 real seconds; Retry-After is given in real seconds.
const SYNC_RULE = { sync: { retryAfterOn429: true, durationMs: 0, minIntervalMs: 600_000 } };
// Where the run does not wait for the window, a longer one (30 real seconds) costs nothing and outlasts a slow machine.
const LONG_SYNC_RULE = { sync: { ...SYNC_RULE.sync, minIntervalMs: 1_800_000 } };
const FAST_WRITES = { throttling: { writesPerWindow: 1_000, windowSeconds: 20 } };
// 5 writes per emulated 20 s at 60x: 15 a real second.
const SLOW_WRITES = { throttling: { writesPerWindow: 5, windowSeconds: 20 } };

beforeAll(async () => {
  emulator = await startEmulator({ scenario: { seed: 12, clock: { speed: 60 }, processing: { delayMs: 1_000, spreadMs: 1_000 }, ...FAST_WRITES, ...SYNC_RULE } });
  env = { ...emulatorEnv(emulator), AUTOPILOT_IMPORT_LOG_LEVEL: "warn" };
});
afterAll(async () => {
  await emulator?.close();
});

/** Someone else triggers the Autopilot sync now: in this process, so no CLI start-up eats into the window. */
async function syncedElsewhere(): Promise<number> {
  const agent = new https.Agent({ ca: emulator.caCertificate });
  try {
    const url = `${emulator.graphUrl}/beta/deviceManagement/windowsAutopilotSettings/sync`;
    return (await rawRequest(agent, "POST", url, { authorization: `Bearer ${emulator.issueToken().token}` })).status;
  } finally {
    agent.destroy();
  }
}

const workDir = (name: string): string => mkdtempSync(path.join(tmpdir(), `autopilot-import-ends-${name}-`));
const stagedOf = (prefix: string): number => emulator.devices().staged.filter((s) => s.serialNumber.startsWith(prefix)).length;

function importArgs(dir: string, file: string, extra: string[] = []): string[] {
  return ["import", file, "--report", path.join(dir, "report.csv"), "--json", "--batch-size", "10", "--state-dir", path.join(dir, "state"), ...extra];
}

/** Runs the CLI, noting when each stderr text first appeared (ms after the start) and when it exited. */
async function timedCli(args: string[], cwd: string): Promise<CliResult & { at: (text: string) => number; exitedAt: number }> {
  const started = Date.now();
  const running = startCli(args, { env, cwd });
  const seen: Array<{ at: number; text: string }> = [];
  let stderr = "";
  running.child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
    seen.push({ at: Date.now() - started, text: stderr });
  });
  const result = await running.result;
  const exitedAt = Date.now() - started;
  return { ...result, exitedAt, at: (text) => seen.find((s) => s.text.includes(text))?.at ?? Number.POSITIVE_INFINITY };
}

describe("a run that ends when its work is done", () => {
  it("a sync refused by the 10-minute rule: summary and report first, then a visible wait and one more trigger", async () => {
    emulator.setScenario({ ...FAST_WRITES, ...SYNC_RULE });
    const dir = workDir("sync-wait");
    // Someone synced a moment ago: the import's first trigger meets the 10-minute rule.
    expect(await syncedElsewhere()).toBe(204);
    const before = routeCounts(emulator, SYNC_ROUTE);
    const run = await timedCli(importArgs(dir, writeCsv(dir, "devices.csv", devicesNamed("SYNCWAIT-", 3))), dir);
    expect(run.code, run.stderr).toBe(0);
    const order = ["3 rows: 3 imported", "sync: refused by the 10-minute rule", "report: ", "sync: the 10-minute window opens in", "sync: Autopilot sync triggered (after waiting"];
    const positions = order.map((text) => run.stderr.indexOf(text));
    expect(positions.every((p) => p >= 0), run.stderr).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    // The report path was out while the wait was still ahead: seconds before the exit.
    expect(run.exitedAt - run.at("report: ")).toBeGreaterThan(2_000);
    expect(JSON.parse(run.stdout)).toMatchObject({ imported: 3, sync: { status: "triggered" } });
    const after = routeCounts(emulator, SYNC_ROUTE);
    expect({ "204": (after["204"] ?? 0) - (before["204"] ?? 0), "429": (after["429"] ?? 0) - (before["429"] ?? 0) }).toEqual({ "204": 1, "429": 1 });
    expect(readCsvReport(path.join(dir, "report.csv"))).toHaveLength(3);
  });

  it("--no-sync-wait: says when the window opens and what triggers it later, and does not wait", async () => {
    emulator.setScenario({ ...FAST_WRITES, ...LONG_SYNC_RULE });
    const dir = workDir("no-wait");
    // A sync within the last 30 (emulated) minutes: this one, or the previous test's.
    await syncedElsewhere();
    const run = await timedCli(importArgs(dir, writeCsv(dir, "devices.csv", devicesNamed("NOWAIT-", 2)), ["--no-sync-wait"]), dir);
    expect(run.code, run.stderr + run.stdout).toBe(0);
    expect(run.stderr).toMatch(/sync: refused by the 10-minute rule .*it can be run at \S+ \(in \d+s\): 'autopilot-import sync' then triggers it, and so does the next import/);
    expect(run.stderr).not.toContain("window opens in");
    expect(JSON.parse(run.stdout)).toMatchObject({ sync: { status: "tooSoon", retryAt: expect.any(String) } });
    expect(run.exitedAt - run.at("report: ")).toBeLessThan(2_000);
    // The state directory remembers the sync is owed, and the hint is a complete command.
    expect(existsSync(path.join(dir, "state", SYNC_DUE_FILE))).toBe(true);
    expect(run.stderr).toContain("sync: to trigger it yourself once the window opens: autopilot-import sync --wait");

    // The next import here, once the window is open, triggers it although it imports nothing new (the run is finished).
    emulator.clock.advance(31 * 60_000); // the emulated 30-minute window opens
    const before = routeCounts(emulator, SYNC_ROUTE);
    const invalid = path.join(dir, "invalid.csv");
    writeFileSync(invalid, "Device Serial Number,Hardware Hash\r\nBROKEN-1,not base64!\r\n");
    const other = await runCli(importArgs(dir, invalid, ["--no-sync-wait"]), { env, cwd: dir });
    expect(other.code, other.stderr).toBe(1);
    expect(JSON.parse(other.stdout)).toMatchObject({ imported: 0, sync: { status: "triggered" } });
    expect((routeCounts(emulator, SYNC_ROUTE)["204"] ?? 0) - (before["204"] ?? 0)).toBe(1);
    expect(existsSync(path.join(dir, "state", SYNC_DUE_FILE))).toBe(false);
  });

  it("a cleanup left over prints the complete cleanup command (sign-in and endpoint flags as given), which finishes it", async () => {
    emulator.setScenario(FAST_WRITES);
    const dir = workDir("hint");
    const file = writeCsv(dir, "devices.csv", devicesNamed("HINT-", 12));
    // Sign-in and endpoint on the command line; only the secret in the environment (as a user would).
    const flags = ["--tenant", emulator.tenantId, "--client-id", emulator.clientId, "--graph-url", emulator.graphUrl, "--authority-host", emulator.authorityHost, "--ca-cert", emulator.caCertPath];
    const secretOnly = { AZURE_CLIENT_SECRET: emulator.clientSecret, AUTOPILOT_IMPORT_LOG_LEVEL: "warn" };
    // Deletes paced to a crawl while the import runs, none after it: most records are left.
    const run = await runCli(importArgs(dir, file, ["--no-sync", "--cleanup-max-time", "0", "--write-limit", "2/1m", ...flags]), { env: secretOnly, cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    const hint = /left after --cleanup-max-time 0ms: (autopilot-import cleanup .*?) deletes them/.exec(run.stderr);
    expect(hint, run.stderr).not.toBeNull();
    const words = hint![1]!.split(" ");
    expect(words.slice(0, 4)).toEqual(["autopilot-import", "cleanup", "--state-dir", path.join(dir, "state")]);
    expect(words.slice(4)).toEqual(["--write-limit", "2/1m", ...flags]);
    expect(stagedOf("HINT-")).toBeGreaterThan(0);
    words.splice(4, 2); // at full speed
    const finished = await runCli(words.slice(1), { env: secretOnly, cwd: dir });
    expect(finished.code, finished.stderr).toBe(0);
    expect(stagedOf("HINT-")).toBe(0);
  });

  it("the next import in the same state directory deletes what an earlier run left, within its cleanup time", async () => {
    emulator.setScenario(FAST_WRITES);
    const dir = workDir("pickup");
    // Thousands of rows, as an admin's import is: it returns as soon as the report is written, the deletes left over.
    const started = Date.now();
    const first = await runCli(importArgs(dir, writeCsv(dir, "first.csv", devicesNamed("LEFT-", 2_000)), ["--batch-size", "500", "--no-sync", "--cleanup-max-time", "0", "--write-limit", "2/1m"]), { env, cwd: dir });
    expect(first.code, first.stderr).toBe(0);
    const firstMs = Date.now() - started;
    const left = stagedOf("LEFT-");
    expect(left).toBeGreaterThan(1_900);
    expect(first.stderr).toContain(`${left.toLocaleString("en-US")} left after --cleanup-max-time 0ms`);
    // At 2 writes a minute those deletes would take over 16 hours: the import did not wait for them.
    expect(firstMs).toBeLessThan(60_000);
    const second = await runCli(importArgs(dir, writeCsv(dir, "second.csv", devicesNamed("NEXT-", 5)), ["--no-sync", "--write-limit", "5000/1s"]), { env, cwd: dir });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toContain(`cleanup: ${left.toLocaleString("en-US")} staged record(s) left by 1 earlier run(s) in this state directory deleted`);
    expect(stagedOf("LEFT-")).toBe(0);
    expect(stagedOf("NEXT-")).toBe(0);
    const status = JSON.parse((await runCli(["status", "--json", "--state-dir", path.join(dir, "state")], { env, cwd: dir })).stdout) as { runs: Array<{ cleanup: { remaining: number } }> };
    expect(status.runs.map((r) => r.cleanup.remaining)).toEqual([0, 0]);
  });

  it("the inbox job deletes what an earlier import left in its state directory, after its files", async () => {
    emulator.setScenario(FAST_WRITES);
    const dir = workDir("inbox");
    const stateDir = path.join(dir, "drop", ".autopilot-import");
    mkdirSync(path.join(dir, "drop", "inbox"), { recursive: true });
    const args = ["import", writeCsv(dir, "earlier.csv", devicesNamed("INBOXLEFT-", 12)), "--report", path.join(dir, "r.csv"), "--state-dir", stateDir, "--no-sync", "--cleanup-max-time", "0", "--write-limit", "2/1m"];
    const earlier = await runCli(args, { env, cwd: dir });
    expect(earlier.code, earlier.stderr).toBe(0);
    const left = stagedOf("INBOXLEFT-");
    expect(left).toBeGreaterThan(0);
    const job = await runCli(["run", "--inbox", path.join(dir, "drop"), "--no-sync"], { env, cwd: dir });
    expect(job.code, job.stderr).toBe(0);
    expect(job.stderr).toContain(`cleanup: ${left} staged record(s) left by earlier runs in the state directory deleted`);
    expect(stagedOf("INBOXLEFT-")).toBe(0);
  });

  it("SIGINT during the cleanup (every row final): the import's own exit code, and the complete cleanup command", async () => {
    emulator.setScenario(SLOW_WRITES);
    const dir = workDir("sigint");
    const running = startCli(importArgs(dir, writeCsv(dir, "devices.csv", devicesNamed("SIGINT-", 60)), ["--no-sync", "--write-limit", "5/1s"]), { env, cwd: dir });
    let stderr = "";
    running.child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const deadline = Date.now() + 40_000;
    while (!running.exited() && !stderr.includes("left to delete") && Date.now() < deadline) await sleep(10);
    expect(running.exited(), stderr).toBe(false);
    running.child.kill("SIGINT");
    const result = await running.result;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain("stopped after the report was complete");
    expect(result.stderr).not.toContain("run the same command again");
    expect(result.stderr).toMatch(new RegExp(`left when the run was stopped: autopilot-import cleanup --state-dir ${path.join(dir, "state").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} `));
    expect(JSON.parse(result.stdout)).toMatchObject({ imported: 60, cleanup: { remaining: expect.any(Number) } });
  });

  it("the bar's, the summary's and the report's words: rejected rows are not failed", async () => {
    emulator.setScenario(FAST_WRITES);
    const dir = workDir("words");
    const hash = makeHash();
    const file = writeCsv(dir, "devices.csv", [
      { serial: "WORDS-1", hash },
      { serial: "WORDS-1", hash },
      { serial: "WORDS-2", hash: "not base64!" },
      { serial: "WORDS-3", hash: makeHash() },
    ]);
    const run = await runCli(importArgs(dir, file, ["--no-sync", "--log-level", "info"]), { env, cwd: dir });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("4 rows: 2 imported, 0 already registered, 0 failed, 0 timed out; 2 rejected (1 invalid, 1 duplicate)");
    expect(run.stderr).toContain("registered in Autopilot: 2 of 2 checked confirmed");
    // Off a terminal the bar is a log line with the same counts.
    const progress = run.stderr
      .split("\n")
      .filter((line) => line.includes('"import progress"') || line.includes("import progress"))
      .at(-1);
    expect(progress).toMatch(/failed.?:?\s*0/);
    expect(progress).toMatch(/rejected.?:?\s*2/);
    const statuses = readCsvReport(path.join(dir, "report.csv")).map((r) => r.status);
    expect(statuses.sort()).toEqual(["duplicate", "imported", "imported", "invalid"]);
  });

  it("an input with no device rows says so and exits 2", async () => {
    const dir = workDir("empty");
    const file = path.join(dir, "header-only.csv");
    writeFileSync(file, "Device Serial Number,Windows Product ID,Hardware Hash\r\n");
    const run = await runCli(importArgs(dir, file, ["--no-sync"]), { env, cwd: dir });
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain(`autopilot-import: warning: no device rows in ${file} (a header only, or an empty file): nothing was imported`);
    expect(run.stderr).toContain("0 rows: 0 imported");
  });
});
