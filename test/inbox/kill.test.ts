/**
 * The real CLI (dist/cli/bin.js: `npm run build` first) draining an inbox against the emulator, stopped the hard
 * way: SIGKILL at seeded moments among the uploads of a file, then the same command again, until the file is done.
 * Nothing is submitted twice, the file leaves the inbox once with a report holding every row once. Also: SIGTERM
 * (143, the file stays), and a second job started while the first works the inbox (exit 0, nothing touched).
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emulatorEnv, startEmulator, type EmulatorHandle } from "../../src/emulator/index.js";
import { seededRandom } from "../../src/util/random.js";
import { listJournals, stateLayout } from "../../src/state/state-dir.js";
import { runCli, startCli, type CliResult } from "../support/cli-process.js";
import { devicesNamed, makeHash, readCsvReport } from "../support/device-csv.js";
import { drop, list, makeInbox } from "./helpers.js";
import { until as waitUntil } from "../support/until.js";

const until = (condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> => waitUntil(condition, what, timeoutMs, 5);

const SEED = 20_261_123;
let emulator: EmulatorHandle;
let env: Record<string, string>;
const random = seededRandom(SEED);

beforeAll(async () => {
  emulator = await startEmulator({
    scenario: {
      seed: SEED,
      clock: { speed: 20 },
      processing: { delayMs: 20_000, spreadMs: 20_000, registrationLagMs: 10_000 },
      // 4 writes per emulated 20 s (one real second): a file of 15 uploads takes seconds to submit, time to be killed in.
      throttling: { writesPerWindow: 4, requestsPerWindow: 400 },
      faults: { latency: { rate: 0.3, minMs: 1, maxMs: 20 }, reset: { rate: 0.03, tookEffectRatio: 0.5 } },
    },
  });
  env = { ...emulatorEnv(emulator), AUTOPILOT_IMPORT_LOG_LEVEL: "warn" };
});
afterAll(() => emulator?.close());

const submitted = (prefix: string): Record<string, number> =>
  Object.fromEntries(Object.entries(emulator.stats().submissions.bySerial).filter(([serial]) => serial.startsWith(prefix)));

// No cleanup (its deletes share the small write budget; tested on their own) and no waiting out the 10-minute sync rule.
const jobArgs = (root: string): string[] => ["run", "--inbox", root, "--settle", "0", "--batch-size", "5", "--concurrency", "2", "--verify-timeout", "1m", "--no-cleanup", "--no-sync-wait", "--json"];

describe("run --inbox, the real CLI stopped and started again", () => {
  it("SIGKILL among a file's uploads, three times: the next job continues it, nothing is submitted twice, the file moves once", async () => {
    const { root, inbox } = makeInbox("kill");
    const devices = devicesNamed("INBOX-KILL-", 75);
    const file = drop(inbox, "devices.csv", devices);
    const args = jobArgs(root);
    for (let kill = 1; kill <= 3; kill++) {
      const before = Object.keys(submitted("INBOX-KILL-")).length;
      const cli = startCli(args, { env, cwd: root });
      // A few more devices reach the emulator (then a few ms more): the kill lands among uploads in flight.
      const target = Math.min(devices.length - 1, before + random.between(3, 12));
      await until(() => cli.exited() || Object.keys(submitted("INBOX-KILL-")).length >= target, `submissions before kill ${kill}`);
      await sleep(random.between(0, 40));
      expect(cli.exited(), `the job ended before kill ${kill}`).toBe(false);
      cli.child.kill("SIGKILL");
      const result = await cli.result;
      expect(result.signal).toBe("SIGKILL");
      expect(list(inbox), `after kill ${kill}`).toEqual(["devices.csv"]);
    }
    const state = stateLayout(path.join(root, ".autopilot-import"));
    expect(listJournals(state).map((j) => j.archived)).toEqual([false]);
    expect(Object.keys(submitted("INBOX-KILL-")).length, "devices left for the last job").toBeLessThan(devices.length);

    const last: CliResult = await runCli(args, { env, cwd: root });
    expect(last.code, last.stderr).toBe(0);
    const json = JSON.parse(last.stdout) as { files: Array<{ name: string; outcome: string; rows: number; imported: number; resumed: boolean; movedTo: string }> };
    expect(json.files).toMatchObject([{ name: "devices.csv", outcome: "done", rows: 75, imported: 75, resumed: true, movedTo: path.join(root, "done", "devices.csv") }]);
    expect(existsSync(file)).toBe(false);
    expect(list(path.join(root, "done"))).toEqual(["devices.csv", "devices.csv.report.csv"]);
    const report = readCsvReport(path.join(root, "done", "devices.csv.report.csv"));
    expect(report.map((r) => r.serialNumber).sort()).toEqual(devices.map((d) => d.serial));
    expect(report.every((r) => r.status === "imported")).toBe(true);
    const counts = submitted("INBOX-KILL-");
    expect(Object.keys(counts)).toHaveLength(75);
    expect(Object.entries(counts).filter(([, n]) => n !== 1)).toEqual([]);
    expect(emulator.stats().submissions.serialsSubmittedMoreThanOnce.filter((s) => s.startsWith("INBOX-KILL-"))).toEqual([]);
    expect(listJournals(state).map((j) => j.archived)).toEqual([true]);
    expect(last.stderr).toContain("[resumed]");
  }, 180_000);

  it("SIGTERM: exit 143, the file stays in the inbox, journaled; a second job meanwhile refuses with exit 0", async () => {
    const { root, inbox } = makeInbox("term");
    const devices = devicesNamed("INBOX-TERM-", 40);
    drop(inbox, "devices.csv", devices);
    drop(inbox, "next.csv", [{ serial: "INBOX-TERM-NEXT", hash: makeHash() }], 30_000);
    const first = startCli(jobArgs(root), { env, cwd: root });
    await until(() => first.exited() || Object.keys(submitted("INBOX-TERM-")).length >= 5, "the first job's submissions");
    expect(first.exited()).toBe(false);

    const second = await runCli(jobArgs(root), { env, cwd: root });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toMatch(/another job is working this inbox, nothing to do: the state directory .* is in use by process \d+ on host .* \(run\)/);
    expect(JSON.parse(second.stdout)).toMatchObject({ files: [], locked: { command: "run" }, exitCode: 0 });

    first.child.kill("SIGTERM");
    const stopped = await first.result;
    expect(stopped.code, stopped.stderr).toBe(143);
    expect(stopped.stderr).toMatch(/devices\.csv: stays in the inbox; its import is journaled and the next run continues it/);
    expect(JSON.parse(stopped.stdout)).toMatchObject({ files: [], stopped: { file: "devices.csv", error: "interrupted by SIGTERM" }, exitCode: 143 });
    expect(list(inbox)).toEqual(["devices.csv", "next.csv"]);
    expect(existsSync(path.join(root, ".autopilot-import", "lock")), "the lock is released").toBe(false);

    const again = await runCli(jobArgs(root), { env, cwd: root });
    expect(again.code, again.stderr).toBe(0);
    expect(list(path.join(root, "done"))).toEqual(["devices.csv", "devices.csv.report.csv", "next.csv", "next.csv.report.csv"]);
    expect(Object.entries(submitted("INBOX-TERM-")).filter(([, n]) => n !== 1)).toEqual([]);
  }, 120_000);
});
