/**
 * The kill harness: the real CLI imports into the emulator (latency, 503s, resets that may or may not have taken
 * effect, 429s, a fast clock) and is killed with SIGKILL at random moments, then started again with the same
 * command, over and over; between attempts the emulator's weather changes (429 bursts, 503 storms, reset storms,
 * tokens that expire within a second). Finally one attempt runs to the end. Whatever happened, the last report must
 * hold every row exactly once, the emulator must have received every device exactly once (a reset that took effect
 * counts: only reconciliation prevents the resend), and what was staged and registered must match the report.
 *
 * Kill moments: most attempts die a random number of device submissions (and a few random milliseconds) after
 * they start submitting, so kills land among uploads in flight; the others at a random time, which also hits
 * start-up, reconciliation, polling and the registration check. A seeded PRNG picks the moments and the weather
 * (KILL_HARNESS_SEED overrides the seed); the emulator's faults are seeded too.
 */
import { appendFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emulatorEnv, startEmulator, type EmulatorHandle, type ScenarioInput } from "../../src/emulator/index.js";
import { seededRandom } from "../../src/util/random.js";
import { replayJournal } from "../../src/state/replay.js";
import { listJournals, stateLayout } from "../../src/state/state-dir.js";
import { startCli, type CliResult } from "../support/cli-process.js";
import { devicesNamed, makeHash, readCsvReport, writeCsv } from "../support/device-csv.js";
import { PROFILES } from "../support/profiles.js";

const SEED = Number(process.env.KILL_HARNESS_SEED ?? 20_261_122);
const KILLS = 20;
const DEVICES = 200;

/** The weather between attempts: every fault knob is set each time, so a storm ends when the next one starts. */
const BASE_FAULTS = {
  latency: { rate: 0.5, minMs: 2, maxMs: 40 },
  status503: { rate: 0.03 },
  status503RetryAfter: { rate: 0.02, retryAfterSeconds: 1 },
  status504: { rate: 0.02, tookEffectRatio: 0.5 },
  reset: { rate: 0.04, tookEffectRatio: 0.5 },
};
// 10 writes per emulated 20 s (one real second): submitting 40 uploads takes seconds, long enough to be killed in.
const CALM: ScenarioInput = { faults: BASE_FAULTS, throttling: { writesPerWindow: 10, requestsPerWindow: 400 }, auth: { tokenLifetimeSeconds: 3599 } };
const STORMS: ReadonlyArray<{ name: string; scenario: ScenarioInput }> = [
  { name: "calm", scenario: CALM },
  { name: "429 burst", scenario: { ...CALM, throttling: { writesPerWindow: 2, requestsPerWindow: 25 } } },
  { name: "503 storm", scenario: { ...CALM, faults: { ...BASE_FAULTS, status503: { rate: 0.25 }, status503RetryAfter: { rate: 0.1, retryAfterSeconds: 1 } } } },
  { name: "reset storm", scenario: { ...CALM, faults: { ...BASE_FAULTS, reset: { rate: 0.25, tookEffectRatio: 0.7 }, status504: { rate: 0.1, tookEffectRatio: 0.7 } } } },
  // 40 emulated seconds at 20x: a token dies within two real seconds, mid-run.
  { name: "token expiry", scenario: { ...CALM, auth: { tokenLifetimeSeconds: 40 } } },
];

/** When to kill an attempt: after `submissions` more devices reached the emulator (then `delayMs` more), or after `delayMs`. */
type KillAt = { readonly submissions: number; readonly delayMs: number } | { readonly delayMs: number };

interface Attempt {
  readonly storm: string;
  readonly killAt: KillAt | null;
  readonly killed: boolean;
  readonly code: number | null;
  readonly submittedSoFar: number;
}

describe.each(PROFILES)("kill harness ($name profile): SIGKILL at random moments, resumed until done", (profile) => {
  let emulator: EmulatorHandle;
  let dir: string;
  const random = seededRandom(SEED);

  beforeAll(async () => {
    emulator = await startEmulator({
      scenario: profile.apply({
        seed: SEED,
        clock: { speed: 20 },
        processing: { delayMs: 30_000, spreadMs: 60_000, registrationLagMs: 20_000 },
        tenant: { registeredDevices: [{ serialNumber: "KILL-806" }] },
        outcomes: { otherTenantSerials: ["KILL-808"] },
        ...CALM,
      }),
    });
    dir = mkdtempSync(path.join(tmpdir(), "autopilot-import-kill-"));
  });
  afterAll(() => emulator?.close());

  it(`${KILLS} kills (seed ${SEED}), fault storms on resume: every row once, every device submitted once`, async () => {
    const started = Date.now();
    const devices = [...devicesNamed("KILL-", DEVICES - 2), { serial: "KILL-806", hash: makeHash() }, { serial: "KILL-808", hash: makeHash() }];
    const file = writeCsv(dir, "devices.csv", devices);
    // Rows the reader rejects are re-derived on every attempt: two invalid, one duplicate of an earlier serial.
    appendFileSync(file, `KILL-BAD1,,not base64!,\r\nKILL-BAD2,,,\r\nKILL-00007,,${makeHash()},\r\n`);
    const rows = DEVICES + 3;
    const report = path.join(dir, "report.csv");
    const args = ["import", file, "--report", report, "--json", "--batch-size", "5", "--concurrency", "4", "--state-dir", path.join(dir, "state"), "--no-sync", "--verify-timeout", "30s", "--no-cleanup"];
    const env = { ...emulatorEnv(emulator), AUTOPILOT_IMPORT_LOG_LEVEL: "info" };
    const attempts: Attempt[] = [];
    const submitted = (): number => emulator.stats().submissions.total;
    const run = async (storm: (typeof STORMS)[number], killAt: KillAt | null, logName: string): Promise<CliResult> => {
      emulator.setScenario(storm.scenario);
      const cli = startCli([...args, "--log-file", path.join(dir, logName)], { env, cwd: dir });
      let killed = false;
      if (killAt !== null) {
        if ("submissions" in killAt) {
          const target = submitted() + killAt.submissions;
          const giveUp = Date.now() + 6_000;
          while (!cli.exited() && submitted() < target && Date.now() < giveUp) await sleep(5);
        }
        const deadline = Date.now() + killAt.delayMs;
        while (!cli.exited() && Date.now() < deadline) await sleep(5);
        if (!cli.exited()) killed = cli.child.kill("SIGKILL");
      }
      const result = await cli.result;
      attempts.push({ storm: storm.name, killAt, killed: killed && result.signal === "SIGKILL", code: result.code, submittedSoFar: submitted() });
      return result;
    };

    let kills = 0;
    let killedWhileWorking = 0;
    const runFinished = async (): Promise<boolean> => {
      const journals = listJournals(stateLayout(path.join(dir, "state"))).filter((j) => !j.archived);
      return journals.length === 1 && (await replayJournal(journals[0]!.file)).state.finished !== undefined;
    };
    for (let i = 0; kills < KILLS && i < KILLS * 3; i++) {
      const storm = STORMS[random.between(0, STORMS.length - 1)]!;
      const remaining = DEVICES - Object.keys(emulator.stats().submissions.bySerial).length;
      const killAt: KillAt = remaining > 0 && random.next() < 0.75 ? { submissions: random.between(1, 10), delayMs: random.between(0, 150) } : { delayMs: random.between(200, 2_500) };
      const result = await run(storm, killAt, `attempt-${i}.log`);
      if (result.signal === "SIGKILL") {
        kills += 1;
        if (!(await runFinished())) killedWhileWorking += 1;
      }
      else expect([0, 1], `attempt ${i} (${storm.name}) ended on its own: ${result.stderr.slice(-2000)}`).toContain(result.code);
    }
    const last = await run(STORMS[0]!, null, "final.log");
    const moment = (k: KillAt | null): string => (k === null ? "end" : "submissions" in k ? `+${k.submissions} sent +${k.delayMs}ms` : `${k.delayMs}ms`);
    const killedAt = attempts.filter((a) => a.killed).map((a) => `${moment(a.killAt)} (${a.storm}; ${a.submittedSoFar} sent)`);
    const beforeAllSent = attempts.filter((a) => a.killed && a.submittedSoFar < DEVICES).length;
    console.log(
      `kill harness (${profile.name}) seed ${SEED}: ${kills} kills in ${attempts.length - 1} attempts (${killedWhileWorking} before the run finished, ${beforeAllSent} before every device was sent), ` +
        `${((Date.now() - started) / 1000).toFixed(1)} s; kills at ${killedAt.join(", ")}`,
    );
    expect(kills).toBeGreaterThanOrEqual(KILLS);
    // Most kills must hit a run with work left (the others hit a finished run, which must stay finished).
    expect(killedWhileWorking).toBeGreaterThanOrEqual(KILLS * 0.75);

    // The last attempt ran to the end: one failure (808), two invalid rows and a duplicate: exit 1.
    expect(last.code, last.stderr).toBe(1);
    const summary = JSON.parse(last.stdout) as Record<string, number>;
    expect(summary).toMatchObject({ rows, valid: DEVICES, invalid: 2, duplicates: 1, submitted: DEVICES, imported: DEVICES - 2, alreadyRegistered: 1, failed: 1, timedOut: 0 });

    // Every row exactly once in the final report.
    const reportRows = readCsvReport(report);
    expect(reportRows).toHaveLength(rows);
    expect(new Set(reportRows.map((r) => r.line)).size).toBe(rows);
    const statuses = Object.fromEntries(reportRows.map((r) => [`${r.line}`, r.status]));
    expect(Object.values(statuses).filter((s) => s === "imported")).toHaveLength(DEVICES - 2);
    expect(reportRows.filter((r) => r.status === "imported").every((r) => r.registered === "yes")).toBe(true);

    // Every device submitted exactly once, however many of the lost requests had taken effect.
    const stats = emulator.stats();
    expect(stats.submissions.serialsSubmittedMoreThanOnce).toEqual([]);
    expect(Object.keys(stats.submissions.bySerial).sort()).toEqual(devices.map((d) => d.serial).sort());
    expect(stats.faulted.resets.tookEffect + stats.faulted.timeouts.tookEffect).toBeGreaterThan(0);

    // Staged and registered agree with the report (--no-cleanup keeps the staged records to compare; the cleanup
    // after kills has its own test: cleanup-cli.test.ts).
    const held = emulator.devices();
    expect(held.staged).toHaveLength(DEVICES);
    const importedSerials = reportRows.filter((r) => r.status === "imported").map((r) => r.serialNumber).sort();
    expect(held.staged.filter((s) => s.state.deviceImportStatus === "complete").map((s) => s.serialNumber).sort()).toEqual(importedSerials);
    expect(held.registered.map((d) => d.serialNumber).sort()).toEqual([...importedSerials, "KILL-806"].sort());
    const byStaged = new Map(held.staged.map((s) => [s.id, s.serialNumber]));
    for (const row of reportRows.filter((r) => r.importedDeviceId)) expect(byStaged.get(row.importedDeviceId), row.serialNumber).toBe(row.serialNumber);

    // Run once more: the run is finished, nothing is sent, the report is the same.
    const before = stats.submissions.total;
    const again = await run(STORMS[0]!, null, "again.log");
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("finished at");
    expect(emulator.stats().submissions.total).toBe(before);
    const sortByLine = (r: typeof reportRows) => [...r].sort((a, b) => Number(a.line) - Number(b.line));
    expect(sortByLine(readCsvReport(report))).toEqual(sortByLine(reportRows));
  }, 180_000);
});
