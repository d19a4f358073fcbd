/**
 * No Docker engine runs here, so the Dockerfile is checked as a parsed structure: stages, base image, what each stage
 * installs and copies, the runtime user, entrypoint, labels and environment; and linted with dockerfile-utils (the
 * validator of the Docker language server) with every optional rule raised to an error.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Copy } from "dockerfile-ast";
import { ValidationSeverity, validate } from "dockerfile-utils";
import { describe, expect, it } from "vitest";
import { ROOT, copies, execForm, ofKind, parseDockerfile, properties, runs, substitute, type Stage } from "./dockerfile-model.js";

const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
  name: string;
  version: string;
  license: string;
  bin: Record<string, string>;
  scripts: Record<string, string>;
};
const parsed = parseDockerfile();
const { stages } = parsed;
const final = stages.at(-1)!;
const stageNamed = (name: string): Stage => stages.find((s) => s.name === name) ?? expect.fail(`no stage '${name}'`);
const last = (stage: Stage, keyword: string) => ofKind(stage, keyword).at(-1);

/** The final stage's ARG defaults, then the global ones: what a label resolves to without --build-arg. */
function finalArgs(): Map<string, string> {
  const values = new Map(parsed.globalArgs);
  for (const arg of ofKind(final, "ARG")) {
    const [name, value] = arg.getArgumentsContent()!.split("=", 2) as [string, string | undefined];
    if (value !== undefined) values.set(name, value.replace(/^"(.*)"$/, "$1"));
  }
  return values;
}

describe("Dockerfile", () => {
  it("passes the linter with every rule an error", () => {
    const E = ValidationSeverity.ERROR;
    const diagnostics = validate(parsed.text, {
      deprecatedMaintainer: E,
      directiveCasing: E,
      emptyContinuationLine: E,
      instructionCasing: E,
      instructionCmdMultiple: E,
      instructionEntrypointMultiple: E,
      instructionHealthcheckMultiple: E,
      instructionJSONInSingleQuotes: E,
      instructionWorkdirRelative: E,
    });
    expect(diagnostics.map((d) => `line ${d.range.start.line + 1}: ${d.message}`)).toEqual([]);
  });

  // Node 26 is the Active LTS line from 2026-10-28 to 2027-10-20 (github.com/nodejs/Release): update with the schedule.
  it("is multi-stage, every stage on the Active LTS line (Node 26) slim pinned by minor version and named", () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) {
      expect(stage.image).toMatch(/^node:26\.\d+-(bookworm|trixie)-slim(@sha256:[0-9a-f]{64})?$/);
      expect(stage.name).toMatch(/^[a-z][a-z0-9-]*$/);
    }
    // BuildKit's RUN --mount needs the syntax directive.
    expect(parsed.dockerfile.getDirective()?.getValue()).toMatch(/^docker\/dockerfile:1/);
  });

  it("builds with every dependency and the files the build script reads", () => {
    const build = stageNamed("build");
    const commands = runs(build).map((r) => r.command);
    expect(commands.some((c) => /^npm ci\b/.test(c) && !c.includes("--omit=dev"))).toBe(true);
    expect(commands).toContain("npm run build");
    const copied = copies(build).flatMap((c) => c.sources);
    const project = /-p\s+(\S+)/.exec(pkg.scripts.build!)?.[1];
    expect(project).toBeDefined();
    const extended = (JSON.parse(readFileSync(path.join(ROOT, project!), "utf8")) as { extends?: string }).extends;
    for (const needed of ["package.json", "package-lock.json", "src", project!, ...(extended ? [path.normalize(extended)] : [])]) {
      expect(copied, needed).toContain(needed);
    }
  });

  it("ships production dependencies only, installed without scripts, plus dist and the samples and scenarios", () => {
    const steps = copies(final);
    const modules = steps.find((c) => c.sources.some((s) => s.endsWith("node_modules")));
    expect(modules?.from).toBeDefined();
    const installs = runs(stageNamed(modules!.from!)).map((r) => r.command).filter((c) => /^npm (ci|install)\b/.test(c));
    expect(installs).toHaveLength(1);
    expect(installs[0]).toMatch(/--omit=dev/);
    expect(installs[0]).toMatch(/--ignore-scripts/);
    // Nothing installs in the runtime stage itself.
    expect(runs(final).filter((r) => /\bnpm\b/.test(r.command.replace(/\/(npm|npx)\b/g, "")))).toEqual([]);

    expect(steps.find((c) => c.sources.includes("/app/dist"))?.from).toBe("build");
    const fromContext = steps.filter((c) => c.from === undefined).flatMap((c) => c.sources);
    expect(fromContext.sort()).toEqual(["fixtures/samples", "fixtures/scenarios", "package.json"]);
    expect(ofKind(final, "ADD")).toEqual([]);
  });

  it("runs as a numeric non-root user in the final stage, after every RUN", () => {
    const user = last(final, "USER");
    expect(user).toBeDefined();
    const [uid, gid] = user!.getArgumentsContent()!.split(":");
    expect(uid).toMatch(/^[1-9]\d*$/);
    if (gid !== undefined) expect(gid).toMatch(/^[1-9]\d*$/);
    const lastRun = ofKind(final, "RUN").at(-1);
    if (lastRun) expect(user!.getRange().start.line).toBeGreaterThan(lastRun.getRange().start.line);
    for (const stage of stages.slice(0, -1)) expect(ofKind(stage, "USER")).toEqual([]);
  });

  it("works in /data, a volume the runtime user owns; the application stays read-only to it", () => {
    const workdir = last(final, "WORKDIR")!.getArgumentsContent();
    expect(workdir).toBe("/data");
    expect(execForm(last(final, "VOLUME")!)).toContain(workdir);
    const uid = last(final, "USER")!.getArgumentsContent()!;
    expect(runs(final).some((r) => r.command.includes(`chown ${uid} ${workdir}`))).toBe(true);
    expect(ofKind<Copy>(final, "COPY").flatMap((c) => c.getFlags().map((f) => f.getName()))).not.toContain("chown");
  });

  it("starts the CLI in exec form, so SIGTERM reaches node; --help by default", () => {
    const entrypoint = execForm(last(final, "ENTRYPOINT")!);
    const appDir = ofKind(final, "WORKDIR")[0]!.getArgumentsContent()!;
    expect(entrypoint).toEqual(["node", path.posix.join(appDir, pkg.bin["autopilot-import"]!)]);
    expect(existsSync(path.join(ROOT, "src", path.relative("dist", pkg.bin["autopilot-import"]!).replace(/\.js$/, ".ts")))).toBe(true);
    expect(execForm(last(final, "CMD")!)).toEqual(["--help"]);
    const stop = last(final, "STOPSIGNAL");
    if (stop) expect(stop.getArgumentsContent()).toBe("SIGTERM");
  });

  it("carries the OCI labels, with the version and licence of package.json", () => {
    const labels = new Map<string, string>();
    for (const label of ofKind(final, "LABEL")) for (const [k, v] of properties(label)) labels.set(k, substitute(v, finalArgs()));
    for (const key of ["source", "version", "title", "description", "licenses", "revision"]) {
      expect(labels.has(`org.opencontainers.image.${key}`), key).toBe(true);
    }
    expect(labels.get("org.opencontainers.image.version")).toBe(pkg.version);
    expect(labels.get("org.opencontainers.image.licenses")).toBe(pkg.license);
    expect(labels.get("org.opencontainers.image.title")).toBe(pkg.name);
    expect(ofKind(final, "LABEL").flatMap((l) => [...properties(l).values()]).join(" ")).toContain("${SOURCE_URL}");
  });

  it("sets NODE_ENV=production and keeps secrets out of ENV and ARG in every stage", () => {
    const env = new Map<string, string>();
    for (const instruction of ofKind(final, "ENV")) for (const [k, v] of properties(instruction)) env.set(k, v);
    expect(env.get("NODE_ENV")).toBe("production");
    const names = stages.flatMap((stage) => [
      ...ofKind(stage, "ENV").flatMap((e) => [...properties(e).keys()]),
      ...ofKind(stage, "ARG").map((a) => a.getArgumentsContent()!.split("=")[0]!),
    ]);
    names.push(...parsed.globalArgs.keys());
    expect(names.filter((n) => /secret|password|token|credential|key|^AZURE_/i.test(n))).toEqual([]);
  });
});

describe(".dockerignore", () => {
  const patterns = readFileSync(path.join(ROOT, ".dockerignore"), "utf8")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));

  it("excludes everything but what the Dockerfile copies from the context", () => {
    expect(patterns[0]).toBe("*");
    const allowed = patterns.slice(1).map((p) => {
      expect(p.startsWith("!"), p).toBe(true);
      return p.slice(1).replace(/\/$/, "");
    });
    const fromContext = [...new Set(stages.flatMap((s) => copies(s).filter((c) => c.from === undefined).flatMap((c) => c.sources)))];
    expect(fromContext.sort()).toEqual(allowed.sort());
    for (const source of fromContext) expect(existsSync(path.join(ROOT, source)), source).toBe(true);
  });
});
