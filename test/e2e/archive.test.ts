/**
 * `import --archive DIR` end to end: the built CLI imports into the emulator and keeps, in DIR, the rows whose device
 * is in the tenant afterwards (imported, already registered) with their exact hashes, in the admin center's format,
 * 0600; rows Graph refused and invalid rows are not kept. A resumed run appends to the same file without duplicates
 * (a torn last line, as a kill leaves, is cut and written again); the archive reads back as an import input.
 */
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emulatorEnv, startEmulator, type EmulatorHandle } from "../../src/emulator/index.js";
import { archiveLine, ARCHIVE_HEADER } from "../../src/archive/archive-file.js";
import { setTimeout as sleep } from "node:timers/promises";
import { BIN, runCli, startCli } from "../support/cli-process.js";
import { makeHash, readAll, readCsvReport, writeCsv } from "../support/device-csv.js";

const QUICK = { clock: { speed: 200 }, throttling: { enabled: false }, processing: { delayMs: 500, spreadMs: 500 }, sync: { durationMs: 1_000 } };
const FAST = ["--log-level", "error", "--verify-timeout", "0", "--cleanup-max-time", "0"];

describe("import --archive", () => {
  let emulator: EmulatorHandle;
  let dir: string;
  beforeAll(async () => {
    expect(existsSync(BIN), "run `npm run build` before the CLI tests").toBe(true);
    emulator = await startEmulator({ scenario: { ...QUICK, outcomes: { otherTenantSerials: ["AR-808"] } } });
    dir = mkdtempSync(path.join(tmpdir(), "autopilot-archive-"));
  });
  afterAll(() => emulator?.close());

  const archiveRows = (archiveDir: string): Array<Record<string, string>> => {
    const [name, ...others] = readdirSync(archiveDir);
    expect(others).toEqual([]);
    return parse(readFileSync(path.join(archiveDir, name!), "utf8"), { columns: true }) as Array<Record<string, string>>;
  };

  it("keeps imported and already registered rows with their exact hashes, 0600, and nothing else", async () => {
    emulator.registerDevices([{ serialNumber: "AR-806" }]);
    const devices = [
      { serial: "AR-1", hash: makeHash(), groupTag: "Sales" },
      { serial: "AR-2", hash: makeHash() },
      { serial: "AR-806", hash: makeHash() },
      { serial: "AR-808", hash: makeHash() },
      { serial: "AR-BAD", hash: "not a hash" },
    ];
    writeCsv(dir, "first.csv", devices);
    const result = await runCli(["import", "first.csv", "--archive", "kept", "--report", "first-report.csv", ...FAST], { env: emulatorEnv(emulator), cwd: dir });
    expect(result.code, result.stderr).toBe(1);
    const report = readCsvReport(path.join(dir, "first-report.csv"));
    expect(report.map((row) => [row.serialNumber, row.status]).sort()).toEqual([["AR-1", "imported"], ["AR-2", "imported"], ["AR-806", "already_registered"], ["AR-808", "failed"], ["AR-BAD", "invalid"]]);
    const kept = archiveRows(path.join(dir, "kept"));
    expect(Object.keys(kept[0]!)).toEqual([...ARCHIVE_HEADER]);
    expect(kept.map((row) => [row["Device Serial Number"], row["Hardware Hash"], row["Group Tag"]])).toEqual([
      ["AR-1", devices[0]!.hash, "Sales"],
      ["AR-2", devices[1]!.hash, ""],
      ["AR-806", devices[2]!.hash, ""],
    ]);
    const file = path.join(dir, "kept", readdirSync(path.join(dir, "kept"))[0]!);
    if (process.platform !== "win32") expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(result.stderr).toContain(`archive: 3 rows with their hashes added to ${file}`);
    expect(readFileSync(file, "utf8")).not.toContain(emulator.clientSecret);
    // The archive is an import input as it stands: every row valid.
    const again = await readAll([file]);
    expect(again.rows.map((row) => row.status)).toEqual(["valid", "valid", "valid"]);
  }, 60_000);

  it("a resumed run appends to its archive without duplicates, cutting a torn last line", async () => {
    const devices = [0, 1, 2, 3].map((i) => ({ serial: `RS-${i}`, hash: makeHash() }));
    writeCsv(dir, "second.csv", devices);
    const archiveDir = path.join(dir, "resumed");
    // The first attempt stages every device, then dies (SIGKILL) while the service still processes them.
    emulator.setScenario({ processing: { delayMs: 3_600_000 } });
    const first = startCli(["import", "second.csv", "--archive", "resumed", "--report", "second-a.csv", ...FAST], { env: emulatorEnv(emulator), cwd: dir });
    const stagedBefore = emulator.stats().devices.stagedCreated;
    while (emulator.stats().devices.stagedCreated < stagedBefore + 4) await sleep(20);
    first.child.kill("SIGKILL");
    expect((await first.result).signal).toBe("SIGKILL");
    emulator.setScenario({ processing: QUICK.processing });
    emulator.clock.advance(3_600_000);
    const [name] = readdirSync(archiveDir);
    const file = path.join(archiveDir, name!);
    expect(readFileSync(file, "utf8")).toBe(`${ARCHIVE_HEADER.join(",")}\r\n`);
    // As if the first attempt had archived two rows and died in the middle of the third one's line.
    const line = (d: { serial: string; hash: string }): string => archiveLine({ serialNumber: d.serial, productKey: "", hardwareHash: d.hash, groupTag: "", assignedUser: "" });
    appendFileSync(file, line(devices[0]!) + line(devices[1]!) + line(devices[2]!).slice(0, 40));
    const resumed = await runCli(["import", "second.csv", "--archive", "resumed", "--report", "second-b.csv", ...FAST], { env: emulatorEnv(emulator), cwd: dir });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(readdirSync(archiveDir)).toEqual([name]);
    expect(resumed.stderr).toContain(`archive: 2 rows with their hashes added to ${file}`);
    expect(archiveRows(archiveDir).map((row) => [row["Device Serial Number"], row["Hardware Hash"]])).toEqual(devices.map((d) => [d.serial, d.hash]));
    expect(emulator.stats().devices.stagedCreated).toBe(stagedBefore + 4);
  }, 60_000);

  it("an archive folder that cannot be made stops the import before anything is sent: one line, exit 2", async () => {
    writeCsv(dir, "third.csv", [{ serial: "NA-1", hash: makeHash() }]);
    const staged = emulator.stats().devices.stagedCreated;
    // A folder below a regular file: ENOTDIR, whoever runs the test (root included).
    const result = await runCli(["import", "third.csv", "--archive", "third.csv/kept", "--report", "third-report.csv", ...FAST], { env: emulatorEnv(emulator), cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^autopilot-import: --archive \S+third\.csv\/kept: cannot write the archive \(ENOTDIR\)\n$/);
    expect(emulator.stats().devices.stagedCreated).toBe(staged);
  }, 30_000);
});
