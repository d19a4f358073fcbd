import { chmodSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { StateError } from "../../src/errors.js";
import { stateDirError } from "../../src/state/environment-error.js";
import { SYNC_DUE_FILE, noteSyncDue } from "../../src/state/sync-due.js";
import { assertStateDir, ensureStateDir, listJournals, stateLayout } from "../../src/state/state-dir.js";
import { lockStatus } from "../../src/state/status.js";
import { tempDir } from "../support/temp-dir.js";
import { itWithPosixModes } from "../support/platform.js";

describe("a state directory that is a file", () => {
  it("is told in one line (a StateError: exit 2) by every way in", () => {
    const dir = tempDir("state-file-");
    const file = path.join(dir, "notadir");
    writeFileSync(file, "x");
    const layout = stateLayout(file);
    const message = `the state directory ${file} cannot be used: ${file} is a file, not a folder (give --state-dir a folder; it is created if missing)`;
    for (const use of [() => assertStateDir(layout), () => ensureStateDir(layout), () => listJournals(layout), () => lockStatus(layout)]) {
      expect(use).toThrow(StateError);
      expect(use).toThrow(message);
    }
  });
  it("so is a file where its runs/ folder goes; a missing directory is fine", () => {
    const dir = path.join(tempDir("state-runs-"), "state");
    expect(() => assertStateDir(stateLayout(dir))).not.toThrow();
    mkdirSync(dir);
    writeFileSync(path.join(dir, "runs"), "x");
    expect(() => ensureStateDir(stateLayout(dir))).toThrow(/runs is a file, not a folder/);
  });
});

describe("modes of the state directory and its files", () => {
  itWithPosixModes("a state directory it makes is 0700 (runs/ too), whatever the umask; a sync-due marker is 0600", () => {
    const layout = stateLayout(path.join(tempDir("state-mode-"), "made", "state"));
    const umask = process.umask(0o000);
    try {
      ensureStateDir(layout);
      noteSyncDue(layout.dir, "run", Date.now());
    } finally {
      process.umask(umask);
    }
    expect(statSync(layout.dir).mode & 0o777).toBe(0o700);
    expect(statSync(layout.runs).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(layout.dir, SYNC_DUE_FILE)).mode & 0o777).toBe(0o600);
  });

  itWithPosixModes("a folder the user made is left as it is; runs/ inside it is 0700", () => {
    const dir = tempDir("state-mode-");
    chmodSync(dir, 0o755);
    ensureStateDir(stateLayout(dir));
    expect(statSync(dir).mode & 0o777).toBe(0o755);
    expect(statSync(path.join(dir, "runs")).mode & 0o777).toBe(0o700);
  });
});

describe("a state directory this machine cannot use", () => {
  it("is one line naming it and the cause (a StateError: exit 2); other errors pass through", () => {
    const dir = "/state";
    const full = Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
    const error = stateDirError(dir, full);
    expect(error).toBeInstanceOf(StateError);
    expect((error as Error).message).toBe("the state directory /state cannot be used: the disk is full (ENOSPC)");
    const readOnly = stateDirError(dir, Object.assign(new Error("x"), { code: "EROFS" }));
    expect((readOnly as Error).message).toBe("the state directory /state cannot be used: it is on a read-only file system (EROFS)");
    const bug = new TypeError("a bug");
    expect(stateDirError(dir, bug)).toBe(bug);
  });
});
