/**
 * The cleanup of staged records with the real CLI against the emulator (HTTPS, real credential, 20x clock): the
 * import deletes only its own records, after the report; SIGKILL during the cleanup and `autopilot-import cleanup`
 * finishes it, deleting none twice; --no-cleanup keeps them for a later `cleanup`; --cleanup-max-time leaves the rest,
 * which the same import run again finishes; `status` shows the progress; the command's exit codes.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STAGED_PATH } from "../../src/after/cleanup.js";
import { emulatorEnv, emulatorGraphConfig, startEmulator, type EmulatorHandle } from "../../src/emulator/index.js";
import type { GraphClient } from "../../src/graph/client.js";
import { createGraphClient } from "../../src/graph/create.js";
import { acquireLock } from "../../src/state/lock-file.js";
import { stateLayout } from "../../src/state/state-dir.js";
import { runCli, startCli, type CliResult } from "../support/cli-process.js";
import { devicesNamed, readCsvReport, writeCsv } from "../support/device-csv.js";

const DELETE_ROUTE = "DELETE /v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities/{id}";

let emulator: EmulatorHandle;
let client: GraphClient;
let env: Record<string, string>;

// 5 writes per emulated 20 s at 20x: 5 a real second, so a cleanup of dozens of records takes seconds.
const SLOW_WRITES = { throttling: { writesPerWindow: 5, windowSeconds: 20 } };
const FAST_WRITES = { throttling: { writesPerWindow: 1_000, windowSeconds: 20 } };

beforeAll(async () => {
  emulator = await startEmulator({ scenario: { seed: 5, clock: { speed: 20 }, processing: { delayMs: 1_000, spreadMs: 1_000 }, ...FAST_WRITES } });
  env = { ...emulatorEnv(emulator), AUTOPILOT_IMPORT_LOG_LEVEL: "warn" };
  client = createGraphClient(emulatorGraphConfig(emulator));
});
afterAll(async () => {
  client?.close();
  await emulator?.close();
});

const deletes = (): Record<string, number> => emulator.stats().requests.byRoute[DELETE_ROUTE] ?? {};
const stagedIds = (prefix: string): string[] =>
  emulator
    .devices()
    .staged.filter((s) => s.serialNumber.startsWith(prefix))
    .map((s) => s.id)
    .sort();

function workDir(name: string): string {
  return mkdtempSync(path.join(tmpdir(), `autopilot-import-cleanup-${name}-`));
}

function importArgs(dir: string, file: string, extra: string[] = []): string[] {
  return ["import", file, "--report", path.join(dir, "report.csv"), "--json", "--batch-size", "10", "--state-dir", path.join(dir, "state"), "--no-sync", ...extra];
}

async function cli(args: string[], cwd: string, extraEnv: Record<string, string> = {}): Promise<CliResult> {
  return runCli(args, { env: { ...env, ...extraEnv }, cwd });
}

async function statusOf(stateDir: string, cwd: string): Promise<Array<{ run: string; cleanup: { deleted: number; remaining: number }; finished: boolean }>> {
  const result = await cli(["status", "--json", "--state-dir", stateDir], cwd);
  return (JSON.parse(result.stdout) as { runs: Array<{ run: string; cleanup: { deleted: number; remaining: number }; finished: boolean }> }).runs;
}

describe("the cleanup of staged records with the real CLI", () => {
  it("SIGKILL during the cleanup: `autopilot-import cleanup` finishes it, only ours go and none twice; --no-cleanup keeps another run's", async () => {
    emulator.setScenario(FAST_WRITES);
    // Someone else's records (another app), and another run of this tool that keeps its records (--no-cleanup).
    const { body } = await client.request<{ value: Array<{ id: string }> }>({
      method: "POST",
      path: `${STAGED_PATH}/import`,
      body: { importedWindowsAutopilotDeviceIdentities: ["KTHEIRS-1", "KTHEIRS-2"].map((serialNumber) => ({ serialNumber, importId: "another-app", hardwareIdentifier: Buffer.from(serialNumber).toString("base64") })) },
    });
    const theirs = body.value.map((r) => r.id).sort();
    const otherDir = workDir("keep");
    const kept = await cli(importArgs(otherDir, writeCsv(otherDir, "kept.csv", devicesNamed("KKEEP-", 5)), ["--no-cleanup"]), otherDir);
    expect(kept.code, kept.stderr).toBe(0);
    expect(JSON.parse(kept.stdout)).toMatchObject({ imported: 5, cleanup: null });
    expect(kept.stderr).not.toContain("cleanup:");
    const keptIds = stagedIds("KKEEP-");
    expect(keptIds).toHaveLength(5);
    expect((await statusOf(path.join(otherDir, "state"), otherDir))[0]).toMatchObject({ finished: true, cleanup: { deleted: 0, remaining: 5 } });

    // Our import: deletes slow (the emulator and the pacer agree on 5 writes a second), killed during the cleanup.
    const dir = workDir("kill");
    const stateDir = path.join(dir, "state");
    emulator.setScenario(SLOW_WRITES);
    const running = startCli(importArgs(dir, writeCsv(dir, "devices.csv", devicesNamed("KILLED-", 60)), ["--write-limit", "5/1s"]), { env, cwd: dir });
    let stderr = "";
    running.child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    const deadline = Date.now() + 40_000;
    // In the cleanup's remainder (the report is complete), with some deleted and many left.
    while (!running.exited() && !(stderr.includes("left to delete") && (deletes()["204"] ?? 0) >= 15) && Date.now() < deadline) await sleep(10);
    expect(running.exited(), stderr).toBe(false);
    running.child.kill("SIGKILL");
    expect((await running.result).signal).toBe("SIGKILL");
    expect(stderr).toMatch(/60 rows: 60 imported/);
    expect(stderr.indexOf("60 rows: 60 imported")).toBeLessThan(stderr.indexOf("left to delete"));
    expect(readCsvReport(path.join(dir, "report.csv"))).toHaveLength(60);
    const ours = stagedIds("KILLED-").length + (deletes()["204"] ?? 0);
    expect(ours).toBe(60);

    // The journal knows what was deleted (a batch in flight at the kill may have gone without being journaled).
    const [afterKill] = await statusOf(stateDir, dir);
    expect(afterKill).toMatchObject({ finished: true });
    const journaled = afterKill!.cleanup.deleted;
    expect(journaled).toBeGreaterThanOrEqual(10);
    expect(journaled + afterKill!.cleanup.remaining).toBe(60);
    const sentBeforeKill = deletes()["204"] ?? 0;
    expect(sentBeforeKill - journaled).toBeLessThanOrEqual(20);

    emulator.setScenario(FAST_WRITES);
    const finished = await cli(["cleanup", "--state-dir", stateDir, "--json", "--write-limit", "1000/20s"], dir);
    expect(finished.code, finished.stderr).toBe(0);
    const result = JSON.parse(finished.stdout) as { deleted: number; remaining: number; runs: Array<{ deletedBefore: number; deleted: number; alreadyGone: number; remaining: number }> };
    expect(result).toMatchObject({ deleted: 60 - journaled, remaining: 0 });
    expect(result.runs[0]).toMatchObject({ deletedBefore: journaled, deleted: 60 - journaled, remaining: 0, alreadyGone: sentBeforeKill - journaled });
    expect(finished.stderr).toContain(`cleanup: ${60 - journaled} staged record(s) deleted, 0 left`);

    // Ours are gone, each deleted exactly once (a resend of one the kill hid answered 404); theirs and the kept run's stay.
    expect(stagedIds("KILLED-")).toEqual([]);
    expect(deletes()["204"]).toBe(60);
    expect(deletes()["404"] ?? 0).toBe(sentBeforeKill - journaled);
    expect(stagedIds("KTHEIRS-")).toEqual(theirs);
    expect(stagedIds("KKEEP-")).toEqual(keptIds);
    expect((await statusOf(stateDir, dir))[0]!.cleanup).toEqual({ deleted: 60, remaining: 0 });

    // Once more: nothing to do. Then the kept run's records, deleted by the command in its state directory.
    const again = await cli(["cleanup", "--state-dir", stateDir], dir);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain("cleanup: 0 staged record(s) deleted, 0 left");
    const keptCleanup = await cli(["cleanup", "--state-dir", path.join(otherDir, "state"), "--json"], otherDir);
    expect(keptCleanup.code, keptCleanup.stderr).toBe(0);
    expect(JSON.parse(keptCleanup.stdout)).toMatchObject({ deleted: 5, remaining: 0 });
    expect(stagedIds("KKEEP-")).toEqual([]);
    expect(stagedIds("KTHEIRS-")).toEqual(theirs);
    expect(deletes()["204"]).toBe(65);
  }, 90_000);

  it("--cleanup-max-time leaves the rest and says so after the outcomes; `status` shows it; the same import run again finishes it", async () => {
    emulator.setScenario(SLOW_WRITES);
    const dir = workDir("limit");
    const stateDir = path.join(dir, "state");
    const file = writeCsv(dir, "devices.csv", devicesNamed("LIMITED-", 40));
    const args = importArgs(dir, file, ["--write-limit", "5/1s", "--no-verify"]);
    const first = await cli([...args, "--cleanup-max-time", "1s"], dir);
    expect(first.code, first.stderr).toBe(0);
    const summary = JSON.parse(first.stdout) as { imported: number; cleanup: { deleted: number; remaining: number } };
    expect(summary.imported).toBe(40);
    expect(summary.cleanup.deleted + summary.cleanup.remaining).toBe(40);
    expect(summary.cleanup.remaining).toBeGreaterThan(0);
    // The outcome lines first, then the cleanup's: what is left, and how to finish it.
    const outcomes = first.stderr.indexOf("40 rows: 40 imported");
    const report = first.stderr.indexOf(`report: ${path.join(dir, "report.csv")}`);
    // The complete command: the state directory and the write budget the import had.
    const end = first.stderr.indexOf(`${summary.cleanup.remaining} left after --cleanup-max-time 1s: autopilot-import cleanup --state-dir ${stateDir} --write-limit 5/1s deletes them`);
    expect(outcomes).toBeGreaterThanOrEqual(0);
    expect(report).toBeGreaterThan(outcomes);
    expect(end, first.stderr).toBeGreaterThan(report);
    expect((await statusOf(stateDir, dir))[0]).toMatchObject({ finished: true, cleanup: { deleted: summary.cleanup.deleted, remaining: summary.cleanup.remaining } });
    const human = await cli(["status", "--state-dir", stateDir], dir);
    expect(human.stdout).toContain(`${summary.cleanup.deleted} staged record(s) deleted, ${summary.cleanup.remaining} left to delete: autopilot-import cleanup --state-dir ${stateDir} --run`);

    // The same command again: nothing is submitted, the rest is deleted.
    emulator.setScenario(FAST_WRITES);
    const submitted = emulator.stats().submissions.total;
    const second = await cli([...args.filter((a) => a !== "5/1s" && a !== "--write-limit"), "--write-limit", "1000/20s"], dir);
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ imported: 40, cleanup: { deleted: 40, remaining: 0 } });
    expect(second.stderr).toContain("cleanup: 40 staged record(s) of this run deleted");
    expect(emulator.stats().submissions.total).toBe(submitted);
    expect(stagedIds("LIMITED-")).toEqual([]);
  }, 60_000);

  it("the cleanup command: exit 1 when some are left (--max-time), 2 for usage or a held lock, 3 when sign-in fails", async () => {
    emulator.setScenario(FAST_WRITES);
    const dir = workDir("codes");
    const stateDir = path.join(dir, "state");
    const imported = await cli(importArgs(dir, writeCsv(dir, "devices.csv", devicesNamed("CODES-", 6)), ["--no-cleanup", "--no-verify"]), dir);
    expect(imported.code, imported.stderr).toBe(0);

    const usage = await cli(["cleanup", "--state-dir", stateDir, "--run", "nope"], dir);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("--run: expected a run key");
    const unknownRun = await cli(["cleanup", "--state-dir", stateDir, "--run", "ffffffffffffffff"], dir);
    expect(unknownRun.code).toBe(2);
    expect((await cli(["cleanup", "--state-dir", stateDir, "--write-limit", "many"], dir)).code).toBe(2);

    const lock = acquireLock(stateLayout(stateDir).lock, { dir: stateDir, command: "test" });
    try {
      const locked = await cli(["cleanup", "--state-dir", stateDir], dir);
      expect(locked.code).toBe(2);
      expect(locked.stderr).toContain("is in use by process");
    } finally {
      lock.release();
    }

    const denied = await cli(["cleanup", "--state-dir", stateDir], dir, { AZURE_CLIENT_SECRET: "wrong" });
    expect(denied.code, denied.stderr).toBe(3);
    expect(stagedIds("CODES-")).toHaveLength(6);

    const none = await cli(["cleanup", "--state-dir", stateDir, "--max-time", "0", "--json"], dir);
    expect(none.code).toBe(1);
    expect(JSON.parse(none.stdout)).toMatchObject({ deleted: 0, remaining: 6 });
    expect(none.stderr).toContain("--max-time 0ms reached");

    const all = await cli(["cleanup", "--state-dir", stateDir], dir);
    expect(all.code).toBe(0);
    expect(stagedIds("CODES-")).toEqual([]);
  }, 60_000);
});
