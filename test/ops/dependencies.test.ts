/**
 * The dependency tree as `npm ci` installs it (package-lock.json): one copy of the proxy agent, every declared
 * dependency used, and node-fetch's web-streams polyfill installed but never loaded on the Node versions we support.
 */
import { execFile } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { ROOT } from "../support/cli-process.js";

interface LockEntry {
  readonly version?: string;
  readonly dependencies?: Record<string, string>;
}

const lock = JSON.parse(readFileSync(path.join(ROOT, "package-lock.json"), "utf8")) as { packages: Record<string, LockEntry> };
const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { dependencies: Record<string, string> };
const run = promisify(execFile);

/** Every installed copy of `name` in the lock file: its path and version. */
function copiesOf(name: string): Array<{ path: string; version: string | undefined }> {
  return Object.entries(lock.packages)
    .filter(([where]) => where === `node_modules/${name}` || where.endsWith(`/node_modules/${name}`))
    .map(([where, entry]) => ({ path: where, version: entry.version }));
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? sourceFiles(full) : full.endsWith(".ts") ? [full] : [];
  });
}

describe("the dependency tree", () => {
  it("holds one https-proxy-agent and one agent-base: ours is the one @azure/identity's HTTP pipeline uses", () => {
    expect(copiesOf("https-proxy-agent")).toEqual([{ path: "node_modules/https-proxy-agent", version: expect.stringMatching(/^7\./) }]);
    expect(copiesOf("agent-base")).toHaveLength(1);
    expect(lock.packages["node_modules/@typespec/ts-http-runtime"]?.dependencies?.["https-proxy-agent"]).toMatch(/^\^7\./);
    expect(pkg.dependencies["https-proxy-agent"]).toMatch(/^\^7\./);
  });

  it("imports every runtime dependency it declares somewhere in src/ (p-limit bounds the uploads)", () => {
    const sources = sourceFiles(path.join(ROOT, "src")).map((file) => readFileSync(file, "utf8"));
    for (const name of Object.keys(pkg.dependencies)) {
      const imported = sources.some((text) => text.includes(`from "${name}"`) || text.includes(`from "${name}/`));
      expect(imported, `${name} is declared but imported nowhere`).toBe(true);
    }
  });

  it("never loads node-fetch's web-streams polyfill: fetch-blob takes Node's own ReadableStream", async () => {
    const script = [
      "await import('node-fetch');",
      "const { createRequire } = await import('node:module');",
      "process.stdout.write(JSON.stringify(Object.keys(createRequire(import.meta.url).cache)));",
    ].join("\n");
    const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], { cwd: ROOT });
    const loaded = JSON.parse(stdout) as string[];
    // The check is real: fetch-blob's streams shim, which would pull the polyfill in, did run.
    expect(loaded.some((file) => file.endsWith(path.join("fetch-blob", "streams.cjs")))).toBe(true);
    expect(loaded.filter((file) => file.includes("web-streams-polyfill"))).toEqual([]);
    expect(copiesOf("web-streams-polyfill")).toHaveLength(1);
  });
});
