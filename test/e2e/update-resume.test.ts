/**
 * `autopilot-import update` under pressure, the built CLI against the emulator: a write budget smaller than the one
 * assumed (429s waited out, no row failed), and interruptions (SIGKILL, SIGINT) then the same command again: every
 * row one outcome, and no device written twice.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { BIN, runCli, startCli } from "../support/cli-process.js";
import { until } from "../support/until.js";
import { readReport, startTenant, updateArgs, updatesById, writeCsv, type Tenant } from "./update-helpers.js";

const BATCH_ROUTE = "POST /v1.0/$batch";

describe("autopilot-import update: throttling and interruptions", () => {
  let tenant: Tenant | undefined;
  beforeAll(() => {
    expect(existsSync(BIN), "run `npm run build` before the CLI tests").toBe(true);
  });
  afterEach(async () => {
    await tenant?.emulator.close();
    tenant = undefined;
  });

  /** A file naming every seeded device, each to get the tag `tag`. */
  function everyDevice(t: Tenant, tag: string): string {
    const file = path.join(t.dir, "all.csv");
    writeCsv(file, [["Device Serial Number", "Group Tag"], ...t.emulator.devices().registered.map((device) => [device.serialNumber, tag])]);
    return file;
  }

  it("honours 429s under a write budget smaller than assumed: every row updated once, none failed", async () => {
    // 4 writes per 20 emulated seconds (0.2 s at speed 100), where the CLI assumes 100: most of the first batch is throttled.
    const t = (tenant = await startTenant({ throttling: { writesPerWindow: 4, windowSeconds: 20 }, service: { retryAfter: "fractional" }, tenant: { registeredSeed: { count: 10, serialPrefix: "TH" } } }));
    const result = await runCli(updateArgs(t, [everyDevice(t, "Throttled"), "--report", "report.csv", "--json"]), { env: t.env, cwd: t.dir });
    // Log warnings (JSON, not a terminal) say it slowed down; the last line is the summary.
    const lines = result.stderr.trimEnd().split("\n");
    expect(lines.at(-1)).toBe(`update: 10 updated; report: ${path.join(t.dir, "report.csv")}`);
    expect(lines.slice(0, -1).map((line) => (JSON.parse(line) as { msg: string }).msg)).toContain("device updates throttled: slowing down");
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ updated: 10, failed: 0, rows: 10 });
    expect(t.emulator.stats().requests.byRoute[BATCH_ROUTE]?.["200"]).toBeGreaterThan(2);
    expect(t.emulator.stats().throttled.total).toBeGreaterThan(0);
    expect(updatesById(t.emulator)).toEqual(Object.fromEntries(t.emulator.devices().registered.map((device) => [device.id, 1])));
    expect(readReport(path.join(t.dir, "report.csv")).map((row) => row["status"])).toEqual(Array(10).fill("updated"));
  }, 60_000);

  it("SIGKILL mid-run, then the same command again: every row one outcome, no device written twice", async () => {
    const t = (tenant = await startTenant({ tenant: { registeredSeed: { count: 30, serialPrefix: "KL" } } }));
    const file = everyDevice(t, "Resumed");
    // 10 writes a second: a first batch of 10, then about one every 100 ms, so the kill lands mid-run.
    const args = updateArgs(t, [file, "--write-limit", "10/1s", "--report", "report.csv"]);
    const accepted = (): number => t.emulator.stats().devices.updatesAccepted;

    const killed = startCli(args, { env: t.env, cwd: t.dir });
    await until(() => accepted() >= 12, "12 updates accepted");
    killed.child.kill("SIGKILL");
    expect((await killed.result).signal).toBe("SIGKILL");
    expect(accepted()).toBeLessThan(30);

    const finished = await runCli(args, { env: t.env, cwd: t.dir });
    expect(finished.code).toBe(0);
    expect(finished.stderr).toMatch(/resuming the update journaled in .*\nupdate: 30 updated; report: /);
    const report = readReport(path.join(t.dir, "report.csv"));
    expect(report.map((row) => row["serialNumber"])).toEqual(t.emulator.devices().registered.map((device) => device.serialNumber));
    expect(new Set(report.map((row) => row["status"]))).toEqual(new Set(["updated"]));
    // The update lag is 0 here: a write in flight at the kill already shows, so it is confirmed, never sent again.
    expect(updatesById(t.emulator)).toEqual(Object.fromEntries(t.emulator.devices().registered.map((device) => [device.id, 1])));
    expect(t.emulator.devices().registered.every((device) => device.groupTag === "Resumed")).toBe(true);
  }, 60_000);

  it("SIGINT mid --where run (exit 130), then the same command: devices done before no longer match, yet each is in the report once", async () => {
    const t = (tenant = await startTenant({ tenant: { registeredSeed: { count: 50, serialPrefix: "WI", untaggedRatio: 0.6 } } }));
    const untagged = t.emulator.devices().registered.filter((device) => device.groupTag === "");
    expect(untagged.length).toBeGreaterThan(20);
    const args = updateArgs(t, ["--where", "group-tag=", "--set-group-tag", "Found", "--write-limit", "10/1s", "--report", "report.csv"]);
    const accepted = (): number => t.emulator.stats().devices.updatesAccepted;

    const interrupted = startCli(args, { env: t.env, cwd: t.dir });
    await until(() => accepted() >= 12, "12 updates accepted");
    interrupted.child.kill("SIGINT");
    const stopped = await interrupted.result;
    expect(stopped.code).toBe(130);
    expect(stopped.stderr.trimEnd().split("\n").at(-1)).toMatch(/^autopilot-import: .*interrupted/i);
    expect(accepted()).toBeLessThan(untagged.length);

    const finished = await runCli(args, { env: t.env, cwd: t.dir });
    expect(finished.code).toBe(0);
    const report = readReport(path.join(t.dir, "report.csv"));
    expect(report.map((row) => row["serialNumber"]).sort()).toEqual(untagged.map((device) => device.serialNumber).sort());
    expect(new Set(report.map((row) => row["status"]))).toEqual(new Set(["updated"]));
    expect(report.filter((row) => (row["message"] ?? "").includes("recorded by an earlier attempt")).length).toBeGreaterThan(0);
    expect(updatesById(t.emulator)).toEqual(Object.fromEntries(untagged.map((device) => [device.id, 1])));
  }, 60_000);
});
