import { appendFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { JournalRefusedError } from "../../src/errors.js";
import { openOpState, opsDir, type OpStateOptions } from "../../src/devices/op-state.js";
import { StateLockedError } from "../../src/state/lock-error.js";
import { runInProcess } from "../support/cli-in-process.js";
import { tempDir } from "../support/temp-dir.js";

function setup(overrides: Partial<OpStateOptions> = {}): OpStateOptions {
  const dir = tempDir("ops-");
  writeFileSync(path.join(dir, "list.csv"), "Device Serial Number\nSN-1\nSN-2\n");
  return { stateDir: path.join(dir, "state"), command: "deregister", inputs: ["list.csv"], tenant: "Contoso.onmicrosoft.com", endpoint: "https://graph.example/", plan: "", fresh: false, forceUnlock: false, cwd: dir, ...overrides };
}

describe("an update or deregister run's journal", () => {
  it("keeps intents and outcomes across processes: a resumed run knows what is done and what was in flight", async () => {
    const options = setup();
    const first = await openOpState(options);
    expect(first.journal.resumed).toBe(false);
    expect([...first.pinned.values()][0]).toMatchObject({ size: 31 });
    first.journal.intend([{ key: "0:2", deviceId: "dev-1", action: "delete" }, { key: "0:3", deviceId: "dev-2", action: "delete" }]);
    first.journal.record([{ key: "0:2", outcome: { status: "deleted", deviceId: "dev-1", message: "gone" } }]);
    first.close();

    const second = await openOpState(options);
    expect(second.journal.resumed).toBe(true);
    expect(second.notes.some((n) => n.startsWith("resuming the deregister journaled in "))).toBe(true);
    expect(second.journal.outcomeOf("0:2")).toEqual({ status: "deleted", deviceId: "dev-1", message: "gone" });
    expect(second.journal.outcomeOf("0:3")).toBeUndefined();
    expect(second.journal.inFlight()).toEqual([{ key: "0:3", deviceId: "dev-2", action: "delete" }]);
    second.journal.record([{ key: "0:3", outcome: { status: "pending", message: "still listed" } }]);
    second.journal.finish();
    second.close();
    const third = await openOpState(options);
    expect(third.journal.inFlight()).toEqual([]);
    expect(third.journal.outcomeOf("0:3")).toEqual({ status: "pending", deviceId: undefined, message: "still listed" });
    third.close();
  });

  it("holds the state directory's lock while open", async () => {
    const options = setup();
    const held = await openOpState(options);
    await expect(openOpState(options)).rejects.toBeInstanceOf(StateLockedError);
    held.close();
    (await openOpState(options)).close();
  });

  it("keys the run by command, inputs, tenant, endpoint and plan: another plan is another journal", async () => {
    const options = setup({ command: "update", plan: "groupTag=A" });
    (await openOpState(options)).close();
    (await openOpState({ ...options, plan: "groupTag=B" })).close();
    (await openOpState({ ...options, tenant: "CONTOSO.onmicrosoft.com" })).close(); // the same tenant in other case
    expect(readdirSync(opsDir(options.stateDir)).filter((n) => n.startsWith("update-")).length).toBe(2);
  });

  it("cuts a torn tail, refuses a file that is not a journal, and sets a journal aside with --fresh", async () => {
    const options = setup();
    const opened = await openOpState(options);
    opened.journal.intend([{ key: "0:2", deviceId: "dev-1", action: "delete" }]);
    const file = opened.journal.file;
    opened.close();
    appendFileSync(file, '{"r":{"type":"op-outc');
    const torn = await openOpState(options);
    expect(torn.notes.some((n) => n.includes("torn by an interrupted write"))).toBe(true);
    expect(torn.journal.inFlight()).toHaveLength(1);
    torn.close();
    expect(readFileSync(file, "utf8").endsWith("\n")).toBe(true);

    const fresh = await openOpState({ ...options, fresh: true });
    expect(fresh.journal.resumed).toBe(false);
    expect(fresh.notes.some((n) => n.startsWith("--fresh: starting over"))).toBe(true);
    fresh.close();
    expect(readdirSync(opsDir(options.stateDir)).some((n) => n.includes(".archived-"))).toBe(true);

    writeFileSync(file, "this is not a journal\n");
    await expect(openOpState(options)).rejects.toBeInstanceOf(JournalRefusedError);
    expect(readFileSync(file, "utf8")).toBe("this is not a journal\n");
  });

  it("keeps no journal file for standard input (it cannot be read twice)", async () => {
    const options = setup({ inputs: ["-"] });
    const opened = await openOpState(options);
    expect(opened.journal.file).toBe("");
    expect(opened.notes[0]).toMatch(/^standard input \(-\) cannot be resumed/);
    opened.journal.record([{ key: "0:2", outcome: { status: "deleted", message: "" } }]);
    expect(opened.journal.outcomeOf("0:2")?.status).toBe("deleted");
    opened.close();
    expect(existsSync(opsDir(options.stateDir))).toBe(false);
  });
});

describe("status of update and deregister runs", () => {
  it("lists each run with its files, plan, outcomes and writes in flight, unfinished first; --json as operations", async () => {
    const options = setup({ command: "update", plan: "groupTag='Sales'" });
    const opened = await openOpState(options);
    opened.journal.intend([{ key: "0:2", deviceId: "dev-1", action: "update" }, { key: "0:3", deviceId: "dev-2", action: "update" }]);
    opened.journal.record([{ key: "0:2", outcome: { status: "updated", deviceId: "dev-1", message: "" } }]);
    opened.close();
    const done = await openOpState({ ...options, command: "deregister", plan: "" });
    done.journal.record([{ key: "0:2", outcome: { status: "not_found", message: "" } }]);
    done.journal.finish();
    done.close();

    const text = await runInProcess(["status", "--state-dir", options.stateDir], {});
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/Update [0-9a-f]{16}: not finished\n {2}files {6}list\.csv\n {2}plan {7}groupTag='Sales'\n/);
    expect(text.stdout).toContain("outcomes   1 (1 updated); 1 write(s) sent without an answer (checked first when resumed)");
    expect(text.stdout).toMatch(/Deregister [0-9a-f]{16}: finished at /);
    expect(text.stdout.indexOf("Update ")).toBeLessThan(text.stdout.indexOf("Deregister "));
    const json = await runInProcess(["status", "--state-dir", options.stateDir, "--json"], {});
    const { operations } = JSON.parse(json.stdout) as { operations: Array<Record<string, unknown>> };
    expect(operations.map((o) => [o.command, o.finished, o.outcomes, o.inFlight, o.attempts])).toEqual([
      ["update", false, { updated: 1 }, 1, 1],
      ["deregister", true, { not_found: 1 }, 0, 1],
    ]);
  });
});
