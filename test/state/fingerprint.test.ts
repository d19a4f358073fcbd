import { utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { fingerprintFiles, runKey } from "../../src/state/fingerprint.js";
import { tempDir } from "../support/temp-dir.js";

describe("input fingerprint and run key", () => {
  it("hashes content: a copy elsewhere, or a touched file, is the same input", async () => {
    const dir = tempDir("fp-");
    writeFileSync(path.join(dir, "a.csv"), "Device Serial Number,Hardware Hash\nS1,AAAA\n");
    writeFileSync(path.join(dir, "copy.csv"), "Device Serial Number,Hardware Hash\nS1,AAAA\n");
    utimesSync(path.join(dir, "copy.csv"), new Date(2000, 0, 1), new Date(2000, 0, 1));
    const [a, copy] = await fingerprintFiles(["a.csv", "copy.csv"], dir);
    expect(a).toMatchObject({ name: "a.csv", path: path.join(dir, "a.csv"), size: 43 });
    expect(a!.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(copy!.sha256).toBe(a!.sha256);
    expect(copy!.mtimeMs).not.toBe(a!.mtimeMs);
    expect(runKey([a!], "t", "https://graph.microsoft.com")).toBe(runKey([copy!], "t", "https://graph.microsoft.com"));
  });

  it("one changed byte, another order of files, another tenant or endpoint: another run", async () => {
    const dir = tempDir("fp-");
    writeFileSync(path.join(dir, "a.csv"), "x,y\n1,2\n");
    writeFileSync(path.join(dir, "b.csv"), "x,y\n1,3\n");
    const [a, b] = await fingerprintFiles(["a.csv", "b.csv"], dir);
    const key = runKey([a!, b!], "contoso", "https://graph.microsoft.com");
    expect(key).toMatch(/^[0-9a-f]{16}$/);
    expect(runKey([b!, a!], "contoso", "https://graph.microsoft.com")).not.toBe(key);
    expect(runKey([a!], "contoso", "https://graph.microsoft.com")).not.toBe(key);
    expect(runKey([a!, b!], "fabrikam", "https://graph.microsoft.com")).not.toBe(key);
    expect(runKey([a!, b!], "contoso", "https://graph.microsoft.us")).not.toBe(key);
    // Spelling that does not change the destination does not change the run.
    expect(runKey([a!, b!], " CONTOSO ", "https://graph.microsoft.com/")).toBe(key);
  });

  it("streams large files in constant memory", async () => {
    const dir = tempDir("fp-");
    const big = Buffer.alloc(8 * 1024 * 1024, 65);
    writeFileSync(path.join(dir, "big.csv"), big);
    const [fp] = await fingerprintFiles([path.join(dir, "big.csv")], "/");
    expect(fp!.size).toBe(big.length);
  });
});
