import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ScenarioError, loadScenarioFile, parseScenario, startEmulator } from "../../src/emulator/index.js";

describe("scenario", () => {
  it("fills realistic defaults", () => {
    const scenario = parseScenario({});
    expect(scenario.throttling).toEqual({ enabled: true, windowSeconds: 20, writesPerWindow: 100, requestsPerWindow: 1000 });
    expect(scenario.processing).toMatchObject({ delayMs: 3000, spreadMs: 2000, pendingPhase: false });
    expect(scenario.sync).toMatchObject({ minIntervalMs: 600_000, retryAfterOn429: false });
    expect(scenario.faults.reset.rate).toBe(0);
    expect(scenario.clock.speed).toBe(1);
  });

  it("the shipped default.json spells out exactly the defaults", async () => {
    const file = await loadScenarioFile(join(import.meta.dirname, "../../fixtures/scenarios/default.json"));
    const { tenant: fileTenant, ...fileRest } = file;
    const { tenant: defaultTenant, ...defaultRest } = parseScenario({});
    expect(fileRest).toEqual(defaultRest);
    expect(fileTenant).toEqual(defaultTenant);
  });

  it("the pessimistic profile sets every service knob to its pessimistic answer, with processing of minutes", async () => {
    const file = await loadScenarioFile(join(import.meta.dirname, "../../fixtures/scenarios/pessimistic.json"));
    expect(file.service).toEqual({
      importIdKept: false,
      selectFailsOn: ["staged", "registered"],
      batchThrottledStatus: 424,
      batchShuffle: true,
      retryAfter: "mixed",
      hyphenContains400: true,
      acceptUnknownProperties: true,
      emptyUserInUpdate: "ignored",
      repeatNextLinkAfterPages: 0,
    });
    expect(file.processing).toEqual({ delayMs: 120_000, spreadMs: 180_000, pendingPhase: true, pendingMs: 60_000, registrationLagMs: 180_000, deletionLingerMs: 900_000, updateLagMs: 900_000 });
    expect(file.sync.retryAfterOn429).toBe(false);
    // Tests choose the speed.
    expect(file.clock.speed).toBe(1);
    // What `autopilot-import emulator --scenario` does with it: load the file, start with it.
    const emulator = await startEmulator({ scenario: file });
    try {
      expect(emulator.scenario.service).toEqual(file.service);
    } finally {
      await emulator.close();
    }
  });

  it("every shipped scenario validates", async () => {
    const dir = join(import.meta.dirname, "../../fixtures/scenarios");
    const files = (await readdir(dir)).filter((name) => name.endsWith(".json"));
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const name of files) await expect(loadScenarioFile(join(dir, name))).resolves.toBeDefined();
  });

  it("names every problem with its path, and rejects unknown keys (typos)", () => {
    expect(() => parseScenario({ throttling: { writesPerWindow: -1, writesPerWindo: 5 }, clock: { speed: "fast" } })).toThrow(ScenarioError);
    try {
      parseScenario({ throttling: { writesPerWindow: -1, writesPerWindo: 5 }, clock: { speed: "fast" } });
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toContain("throttling.writesPerWindow");
      expect(message).toContain("writesPerWindo");
      expect(message).toContain("clock.speed");
    }
    expect(() => parseScenario({ faults: { status503: { rate: 0.6 }, reset: { rate: 0.6 } } })).toThrow(/add up to 1.2/);
  });

  it("reports unreadable and non-JSON files readably", async () => {
    const dir = await mkdtemp(join(tmpdir(), "scenario-test-"));
    try {
      await expect(loadScenarioFile(join(dir, "missing.json"))).rejects.toThrow(/cannot read scenario file .*ENOENT/);
      await writeFile(join(dir, "bad.json"), "{ nope");
      await expect(loadScenarioFile(join(dir, "bad.json"))).rejects.toThrow(/is not valid JSON/);
      await writeFile(join(dir, "wrong.json"), JSON.stringify({ sync: { durationMs: "long" } }));
      await expect(loadScenarioFile(join(dir, "wrong.json"))).rejects.toThrow(/wrong\.json.*sync\.durationMs/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("fixed identity from the scenario; startEmulator rejects a bad scenario", async () => {
    const tenantId = "8a6b1f3e-2f4c-4d3a-9a6b-1f3e2f4c4d3a";
    const emulator = await startEmulator({ scenario: { tenant: { tenantId, clientSecret: "s3cret" } } });
    try {
      expect(emulator.tenantId).toBe(tenantId);
      expect(emulator.clientSecret).toBe("s3cret");
      expect(emulator.clientId).toMatch(/^[0-9a-f-]{36}$/);
    } finally {
      await emulator.close();
    }
    await expect(startEmulator({ scenario: { clock: { speed: 0 } } })).rejects.toThrow(ScenarioError);
  });
});
