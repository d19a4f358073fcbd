import { existsSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { openRunState } from "../../src/run/state.js";
import { openRunJournal, archiveRunJournal } from "../../src/run/journal.js";
import { runTargetFor } from "../../src/run/target.js";
import { StateLockedError } from "../../src/state/lock-error.js";
import { releaseHeldLocks } from "../../src/state/lock-file.js";
import { stateLayout } from "../../src/state/state-dir.js";

function workspace() {
  const dir = mkdtempSync(path.join(tmpdir(), "run-state-"));
  writeFileSync(path.join(dir, "a.csv"), "Device Serial Number,Hardware Hash\nS1,AAAA\n");
  return { dir, stateDir: path.join(dir, ".state") };
}

const target = runTargetFor({ tenantId: "Contoso.onmicrosoft.com", cloud: "public", graphUrl: undefined });
const signal = new AbortController().signal;
const now = (): number => Date.UTC(2026, 0, 2, 3, 4, 5);

describe("openRunState: the lock, then the run's journal", () => {
  it("holds the state directory until closed; the same inputs are the same run, resumed", async () => {
    const { dir, stateDir } = workspace();
    const options = { stateDir, files: ["a.csv"], cwd: dir, target, forceUnlock: false, command: "import", signal, now };
    const first = await openRunState(options);
    expect(first.resumed).toBe(false);
    expect(first.key).toMatch(/^[0-9a-f]{16}$/);
    expect(existsSync(stateLayout(stateDir).lock)).toBe(true);
    await expect(openRunState(options)).rejects.toBeInstanceOf(StateLockedError);
    first.close();
    first.close(); // twice is fine
    expect(existsSync(stateLayout(stateDir).lock)).toBe(false);
    const again = await openRunState(options);
    expect(again.key).toBe(first.key);
    expect(again.file).toBe(first.file);
    // Nothing was sent by the first: there is nothing to resume.
    expect(again.resumed).toBe(false);
    again.close();
  });

  it("is another run for another tenant or endpoint", async () => {
    const { dir, stateDir } = workspace();
    const a = await openRunJournal({ stateDir, files: ["a.csv"], cwd: dir, target, signal, now });
    a.journal.close();
    const b = await openRunJournal({ stateDir, files: ["a.csv"], cwd: dir, target: runTargetFor({ tenantId: "fabrikam.com", cloud: "public", graphUrl: undefined }), signal, now });
    b.journal.close();
    const c = await openRunJournal({ stateDir, files: ["a.csv"], cwd: dir, target: runTargetFor({ tenantId: "contoso.onmicrosoft.com", cloud: "usgov", graphUrl: undefined }), signal, now });
    c.journal.close();
    expect(new Set([a.key, b.key, c.key]).size).toBe(3);
  });

  it("archives the run's journal with --fresh, and two archives of one second get two names", async () => {
    const { dir, stateDir } = workspace();
    const options = { stateDir, files: ["a.csv"], cwd: dir, target, signal, now };
    const first = await openRunJournal(options);
    first.journal.close();
    const fresh = await openRunJournal({ ...options, fresh: true });
    fresh.journal.close();
    expect(fresh.archived).toMatch(/\.archived-20260102T030405Z\.jsonl$/);
    expect(fresh.resumed).toBe(false);
    const second = archiveRunJournal(stateDir, fresh.key, now());
    expect(second).toMatch(/\.archived-20260102T030406Z\.jsonl$/);
    expect(readdirSync(stateLayout(stateDir).runs).sort()).toHaveLength(2);
  });

  it("releases nothing it did not take when the journal cannot be opened", async () => {
    const { dir, stateDir } = workspace();
    await expect(openRunState({ stateDir, files: ["missing.csv"], cwd: dir, target, forceUnlock: false, command: "import", signal, now })).rejects.toThrow();
    expect(existsSync(stateLayout(stateDir).lock)).toBe(false);
  });

  it("leaves its locks to the process's exit path (bin.ts) when the process leaves at once", async () => {
    const { dir, stateDir } = workspace();
    await openRunState({ stateDir, files: ["a.csv"], cwd: dir, target, forceUnlock: false, command: "import", signal, now });
    expect(existsSync(stateLayout(stateDir).lock)).toBe(true);
    releaseHeldLocks();
    expect(existsSync(stateLayout(stateDir).lock)).toBe(false);
  });
});
