/**
 * The question without --yes, at a terminal: `main` run in this process with a standard input and error that say they
 * are a TTY (as a terminal's are), against the emulator. Only the exact word `yes` deletes; anything else is exit 2
 * with nothing sent. Also a list it cannot use (one line, exit 2), and the configuration: the deadline's default and its variable.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough, Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_DEREGISTER_DEADLINE_MS, loadDeregisterConfig } from "../../src/cli/config/deregister.js";
import { main } from "../../src/cli/main.js";
import { emulatorEnv, startEmulator, type EmulatorHandle } from "../../src/emulator/index.js";

let emulator: EmulatorHandle;
let dir: string;
beforeAll(async () => {
  emulator = await startEmulator({ scenario: { clock: { speed: 100 }, throttling: { enabled: false }, processing: { deletionLingerMs: 0 } } });
  dir = mkdtempSync(path.join(tmpdir(), "deregister-confirm-"));
});
afterAll(() => emulator?.close());

/** Runs deregister with `answer` typed at the "terminal"; the question appears on its stderr before the answer is given. */
async function atTerminal(args: readonly string[], answer: string): Promise<{ code: number; stderr: string }> {
  const stdin = Object.assign(new PassThrough(), { isTTY: true });
  let stderr = "";
  const err = Object.assign(
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        stderr += chunk.toString();
        // The person answers once asked.
        if (stderr.includes("Type yes to delete them: ") && !stdin.writableEnded) stdin.end(answer);
        done();
      },
    }),
    { isTTY: true },
  );
  const code = await main(["deregister", ...args, "--log-level", "silent"], { env: emulatorEnv(emulator), cwd: dir, stdin, stdout: new PassThrough(), stderr: err, signal: new AbortController().signal });
  return { code, stderr };
}

describe("deregister at a terminal, without --yes", () => {
  it("asks with the count and the first serials; anything but 'yes' is exit 2 with nothing sent; 'yes' deletes", async () => {
    const devices = emulator.registerDevices(Array.from({ length: 7 }, (_, i) => ({ serialNumber: `ASK${i}` })));
    writeFileSync(path.join(dir, "ask.csv"), `Device Serial Number\n${devices.map((device) => device.serialNumber).join("\n")}\n`);
    const requests = emulator.stats().requests.total;
    const no = await atTerminal(["ask.csv", "--report", "no.csv"], "Yes\n");
    expect(no.code).toBe(2);
    expect(no.stderr).toBe(
      "This deletes the Autopilot records of 7 serial numbers (ASK0, ASK1, ASK2, ASK3, ASK4, … and 2 more), as listed.\nType yes to delete them: autopilot-import: deregister: not confirmed (the answer was not 'yes'): nothing was deleted\n",
    );
    expect(emulator.stats().requests.total).toBe(requests);
    const yes = await atTerminal(["ask.csv", "--report", "yes.csv"], "yes\n");
    expect(yes.code, yes.stderr).toBe(0);
    expect(emulator.devices().registered.filter((device) => device.serialNumber.startsWith("ASK"))).toEqual([]);
  }, 30_000);
});

describe("deregister with a list it cannot use", () => {
  it("a file without a serial column is one line and exit 2, nothing deleted", async () => {
    const [device] = emulator.registerDevices([{ serialNumber: "COL-1" }]);
    writeFileSync(path.join(dir, "nocol.csv"), "Name,Model\nCOL-1,X\n");
    const requests = emulator.stats().devices.registeredDeleteRequests;
    const run = await atTerminal(["nocol.csv", "--yes", "--report", "nocol.csv.report.csv", "--state-dir", path.join(dir, "state")], "");
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).toMatch(/^deregister: nocol\.csv: .*Device Serial Number/);
    expect(emulator.stats().devices.registeredDeleteRequests).toBe(requests);
    expect(emulator.devices().registered.map((d) => d.id)).toContain(device?.id);
  }, 30_000);
});

describe("deregister configuration", () => {
  it("follows each deletion 10 minutes by default; --deadline and its variable set it; a list is required", () => {
    expect(loadDeregisterConfig(["a.csv"], {}, dir).deadlineMs).toBe(DEFAULT_DEREGISTER_DEADLINE_MS);
    expect(DEFAULT_DEREGISTER_DEADLINE_MS).toBe(600_000);
    expect(loadDeregisterConfig(["a.csv"], { AUTOPILOT_IMPORT_DEREGISTER_DEADLINE: "30m" }, dir).deadlineMs).toBe(1_800_000);
    expect(loadDeregisterConfig(["a.csv", "--deadline", "90s", "--yes", "--delete-intune-record"], {}, dir)).toMatchObject({ deadlineMs: 90_000, yes: true, deleteIntuneRecord: true });
    expect(loadDeregisterConfig(["a.csv"], { AUTOPILOT_IMPORT_DEREGISTER_YES: "true", AUTOPILOT_IMPORT_DEREGISTER_DELETE_INTUNE_RECORD: "1" }, dir)).toMatchObject({ yes: true, deleteIntuneRecord: true });
    expect(() => loadDeregisterConfig([], {}, dir)).toThrow(/give at least one device-list file/);
    expect(() => loadDeregisterConfig(["a.csv", "--deadline", "soon"], {}, dir)).toThrow(/--deadline: expected a duration/);
  });
});
