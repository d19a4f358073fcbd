import { spawn } from "node:child_process";
import { existsSync, readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { StateError } from "../../src/errors.js";
import { StateLockedError } from "../../src/state/lock-error.js";
import { acquireLock, isProcessAlive, judgeLock, readLock, type HeldLock } from "../../src/state/lock-file.js";
import { tempDir } from "../support/temp-dir.js";

const held: HeldLock[] = [];
afterEach(() => {
  for (const lock of held.splice(0)) lock.release();
});

function take(file: string, options: Parameters<typeof acquireLock>[1] = {}): HeldLock {
  const lock = acquireLock(file, options);
  held.push(lock);
  return lock;
}

function plant(file: string, holder: object, ageMs = 0): void {
  writeFileSync(file, `${JSON.stringify(holder)}\n`);
  const at = new Date(Date.now() - ageMs);
  utimesSync(file, at, at);
}

function refusal(action: () => unknown): StateLockedError {
  try {
    action();
  } catch (error) {
    if (error instanceof StateLockedError) return error;
    throw error;
  }
  throw new Error("expected the lock to be refused");
}

describe("state directory lock", () => {
  it("is a file holding pid, host and start; released, it is gone", () => {
    const file = path.join(tempDir("lock-"), "lock");
    const lock = acquireLock(file, { host: "here", command: "import", now: () => Date.UTC(2026, 0, 1) });
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual({ pid: process.pid, host: "here", since: "2026-01-01T00:00:00.000Z", command: "import" });
    expect(lock.replaced).toBeUndefined();
    lock.release();
    expect(existsSync(file)).toBe(false);
  });

  it("a second holder is refused with the first one named (a StateError: exit 2)", () => {
    const dir = tempDir("lock-");
    const file = path.join(dir, "lock");
    take(file, { dir, command: "import" });
    const error = refusal(() => acquireLock(file, { dir }));
    expect(error).toBeInstanceOf(StateError);
    expect(error.message).toContain(`the state directory ${dir} is in use by process ${process.pid} on host`);
    expect(error.message).toContain("(import)");
    expect(error.message).toMatch(/since \d{4}-\d\d-\d\dT/);
  });

  it("on this host, a lock whose process is gone is taken over", () => {
    const file = path.join(tempDir("lock-"), "lock");
    plant(file, { pid: 999_999, host: "here", since: "2026-01-01T00:00:00Z" });
    const lock = take(file, { host: "here", isAlive: (pid) => pid !== 999_999 });
    expect(lock.replaced).toEqual({ holder: { pid: 999_999, host: "here", since: "2026-01-01T00:00:00Z" }, reason: "dead" });
    expect(readLock(file)?.holder?.pid).toBe(process.pid);
  });

  it("on this host, a live holder keeps its lock however old it is", () => {
    const file = path.join(tempDir("lock-"), "lock");
    plant(file, { pid: 4242, host: "here", since: "2020-01-01T00:00:00Z" }, 24 * 3600_000);
    const error = refusal(() => acquireLock(file, { host: "here", isAlive: () => true }));
    expect(error.message).toContain("process 4242 on host here since 2020-01-01T00:00:00Z");
  });

  it("our own pid in a lock we do not hold is a predecessor's (a restarted container's pid 1): stale", () => {
    const file = path.join(tempDir("lock-"), "lock");
    plant(file, { pid: 1, host: "pod-a", since: "2026-01-01T00:00:00Z" });
    expect(take(file, { host: "pod-a", pid: 1 }).replaced?.reason).toBe("previousSelf");
  });

  it("another host's lock is refused while its heartbeat is fresh, taken over once it is older than the threshold", () => {
    const file = path.join(tempDir("lock-"), "lock");
    plant(file, { pid: 7, host: "elsewhere", since: "2026-01-01T00:00:00Z" }, 60_000);
    const error = refusal(() => acquireLock(file, { host: "here", staleAfterMs: 10 * 60_000 }));
    expect(error.message).toContain("process 7 on host elsewhere");
    expect(error.message).toContain("--force-unlock");
    plant(file, { pid: 7, host: "elsewhere", since: "2026-01-01T00:00:00Z" }, 11 * 60_000);
    expect(take(file, { host: "here", staleAfterMs: 10 * 60_000 }).replaced?.reason).toBe("expired");
  });

  it("--force-unlock takes any lock", () => {
    const file = path.join(tempDir("lock-"), "lock");
    plant(file, { pid: 7, host: "elsewhere", since: "2026-01-01T00:00:00Z" });
    expect(take(file, { force: true }).replaced?.reason).toBe("forced");
  });

  it("a lock file without readable content is stale only after a grace period (its writer may be writing)", () => {
    const file = path.join(tempDir("lock-"), "lock");
    writeFileSync(file, "");
    expect(judgeLock(readLock(file)!, file)).toEqual({ stale: false, reason: "alive" });
    const old = new Date(Date.now() - 60_000);
    utimesSync(file, old, old);
    expect(take(file).replaced?.reason).toBe("unreadable");
  });

  it("a young unreadable lock (empty, garbage) is taken over after a short second look finds it unchanged", () => {
    for (const content of ["", "\u0000\u0000garbage"]) {
      const file = path.join(tempDir("lock-"), "lock");
      writeFileSync(file, content);
      const started = Date.now();
      const lock = take(file, { unreadableCheckMs: 50 });
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(lock.replaced).toEqual({ holder: undefined, reason: "unreadable" });
      expect(readLock(file)?.holder?.pid).toBe(process.pid);
    }
  });

  it("is created readable by its owner only (0600)", () => {
    const file = path.join(tempDir("lock-"), "lock");
    take(file);
    if (process.platform !== "win32") expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it("release removes only its own lock (not one a forced process took since)", () => {
    const file = path.join(tempDir("lock-"), "lock");
    const first = acquireLock(file);
    plant(file, { pid: 5, host: "other", since: "2026-01-01T00:00:00Z" });
    first.release();
    expect(readLock(file)?.holder?.pid).toBe(5);
  });

  it("the heartbeat renews the lock's mtime", async () => {
    const file = path.join(tempDir("lock-"), "lock");
    take(file, { heartbeatMs: 20 });
    const old = new Date(Date.now() - 3600_000);
    utimesSync(file, old, old);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(Date.now() - readLock(file)!.heartbeatAt).toBeLessThan(5_000);
  });

  it("tells a live process from a gone one by signal 0", async () => {
    const child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"], { stdio: "ignore" });
    await new Promise((resolve) => child.once("spawn", resolve));
    const pid = child.pid!;
    expect(isProcessAlive(pid)).toBe(true);
    const file = path.join(tempDir("lock-"), "lock");
    plant(file, { pid, host: "here", since: "2026-01-01T00:00:00Z" });
    expect(() => acquireLock(file, { host: "here" })).toThrow(StateLockedError);
    child.kill("SIGKILL");
    await new Promise((resolve) => child.once("exit", resolve));
    expect(isProcessAlive(pid)).toBe(false);
    expect(take(file, { host: "here" }).replaced?.reason).toBe("dead");
  });
});
