import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { StateError } from "../../src/errors.js";
import { assertStateDir, ensureStateDir, listJournals, stateLayout } from "../../src/state/state-dir.js";
import { lockStatus } from "../../src/state/status.js";
import { tempDir } from "../support/temp-dir.js";

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
