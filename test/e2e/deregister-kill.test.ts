/**
 * `autopilot-import deregister` stopped the hard way: SIGKILL while its DELETEs go out, then the same command again.
 * The journal says which DELETEs were sent: those are followed (GET), never sent again; every row ends with exactly
 * one report row, and no Autopilot record gets a second DELETE.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emulatorEnv } from "../../src/emulator/index.js";
import { startCli } from "../support/cli-process.js";
import { until } from "../support/until.js";
import { autopilotDeletes, registeredSerials, startBed, type DeregisterBed } from "../deregister/bed.js";

const COUNT = 60;

describe("autopilot-import deregister, killed and run again", () => {
  let bed: DeregisterBed;
  beforeAll(async () => {
    bed = await startBed({ clock: { speed: 100 }, throttling: { enabled: false }, processing: { deletionLingerMs: 30_000 } });
  });
  afterAll(() => bed?.close());

  it("SIGKILL among the DELETEs, then the same command: nothing deleted twice, every row one outcome, the report complete", async () => {
    const devices = bed.emulator.registerDevices(Array.from({ length: COUNT }, (_, i) => ({ serialNumber: `KILL${String(i).padStart(3, "0")}` })));
    bed.list("kill.csv", devices.map((device) => device.serialNumber));
    // 20 writes a second: the DELETEs take about three seconds, time to be killed among them.
    const args = ["deregister", "kill.csv", "--yes", "--write-limit", "20/1s", "--deadline", "5s", "--report", "kill.jsonl", "--json", "--log-level", "error"];
    const sent = (): number => devices.filter((device) => autopilotDeletes(bed, device.id) > 0).length;
    const first = startCli(args, { env: emulatorEnv(bed.emulator), cwd: bed.dir });
    await until(() => first.exited() || sent() >= 25, "25 DELETEs before the kill");
    await sleep(15);
    expect(first.exited(), "the run ended before the kill").toBe(false);
    first.child.kill("SIGKILL");
    expect((await first.result).signal).toBe("SIGKILL");
    const sentBeforeKill = sent();
    expect(sentBeforeKill).toBeLessThan(COUNT);

    const again = await startCli(args, { env: emulatorEnv(bed.emulator), cwd: bed.dir }).result;
    const report = bed.report("kill.jsonl");
    // Every row exactly once, whatever it ended as.
    expect(report.map((row) => row.serialNumber).sort()).toEqual(devices.map((device) => device.serialNumber).sort());
    // No record got a second DELETE: the kill's in-flight ones were followed by GET.
    expect(Math.max(...devices.map((device) => autopilotDeletes(bed, device.id)))).toBe(1);
    // A DELETE journaled but killed before it left would show here as `pending` (followed, never re-sent): only
    // a record that never got a DELETE may be pending.
    for (const row of report.filter((line) => line.status !== "deleted")) {
      expect(row.status).toBe("pending");
      expect(autopilotDeletes(bed, row.autopilotDeviceId)).toBe(0);
    }
    const deleted = report.filter((row) => row.status === "deleted").length;
    expect(again.code, again.stderr).toBe(deleted === COUNT ? 0 : 1);
    expect(JSON.parse(again.stdout)).toMatchObject({ rows: COUNT, deleted });
    // The killed process's lock is taken over (it is no longer running), and its journal resumed.
    expect(again.stderr).toMatch(/^deregister: took over the lock of .* \(no longer running\)\nderegister: resuming the deregister journaled in .*: rows with an outcome are not written again\n/);
    expect(registeredSerials(bed.emulator, "KILL")).toHaveLength(COUNT - deleted);
  }, 40_000);

  it("SIGTERM while following a deletion: exit 143 and one line; the same command again follows it by GET and reports it deleted", async () => {
    const [device] = bed.emulator.registerDevices([{ serialNumber: "TERM-1" }]);
    bed.emulator.setScenario({ processing: { deletionLingerMs: 3_600_000 } });
    try {
      bed.list("term.csv", ["TERM-1"]);
      const args = ["deregister", "term.csv", "--yes", "--report", "term.jsonl", "--log-level", "error"];
      const running = startCli(args, { env: emulatorEnv(bed.emulator), cwd: bed.dir });
      await until(() => running.exited() || autopilotDeletes(bed, device!.id) > 0, "the DELETE");
      await sleep(50);
      running.child.kill("SIGTERM");
      const stopped = await running.result;
      expect(stopped.code).toBe(143);
      expect(stopped.stderr).toBe("autopilot-import: interrupted by SIGTERM\n");
      bed.emulator.clock.advance(3_600_000);
      const again = await startCli(args, { env: emulatorEnv(bed.emulator), cwd: bed.dir }).result;
      expect(again.code, again.stderr).toBe(0);
      expect(bed.report("term.jsonl")).toMatchObject([{ serialNumber: "TERM-1", status: "deleted", autopilotDeviceId: device?.id }]);
      expect(autopilotDeletes(bed, device!.id)).toBe(1);
    } finally {
      bed.emulator.setScenario({ processing: { deletionLingerMs: 30_000 } });
    }
  }, 30_000);
});
