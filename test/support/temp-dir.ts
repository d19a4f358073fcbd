/** Temporary directories for tests: `autopilot-import-<prefix>…` under the system's temporary folder. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll } from "vitest";

/** A new, empty directory; call it anywhere, a test included (it is left for the system to clear). */
export function tempDir(prefix = "test-"): string {
  return mkdtempSync(path.join(tmpdir(), `autopilot-import-${prefix}`));
}

/** One directory for a whole test file, removed after its last test: call it at the top of the file. */
export function fileTempDir(prefix = "test-"): string {
  const dir = tempDir(prefix);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
