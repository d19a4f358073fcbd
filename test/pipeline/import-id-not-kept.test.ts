/**
 * A service that does not keep the importId we send (a public report shows importId = the record's own id): lost
 * answers are reconciled by serial number against the staged baseline, never by resending blind; what cannot be proven
 * is reported failed, not submitted twice.
 */
import { describe, expect, it } from "vitest";
import { findStaged, OUTCOME_UNKNOWN_MESSAGE } from "../../src/pipeline/reconcile.js";
import { newCapabilities, type ServiceCapabilities } from "../../src/pipeline/staged-api.js";
import type { PendingDevice } from "../../src/pipeline/types.js";
import { FakeClock, FakeService, type FakeServiceOptions } from "./helpers/fake-service.js";
import { run, validRow } from "./helpers/in-memory-run.js";

const rows = (n: number) => Array.from({ length: n }, (_, i) => validRow(i));
const submittedOnce = (times: Map<string, number>) => [...times.values()].every((n) => n === 1);

function pendingOf(n: number): PendingDevice[] {
  return rows(n).flatMap((row) => (row.status === "valid" ? [{ location: row.location, device: row.device }] : []));
}

type Stage = (service: FakeService, capabilities: ServiceCapabilities) => Promise<void>;

async function reconcile(options: FakeServiceOptions, baselineTaken: boolean, stageAfterBaseline: Stage) {
  const service = new FakeService(new FakeClock(), { importIdKept: false, ...options });
  const capabilities = newCapabilities(service.traits);
  if (baselineTaken) capabilities.baseline = new Set(service.records.keys());
  await stageAfterBaseline(service, capabilities);
  const result = await findStaged("upload-x", pendingOf(3), { api: service, capabilities, stagedEstimate: () => undefined });
  return { result, service, capabilities };
}

describe("importDevices when the service does not keep the importId", () => {
  it("learns it from the first answer and then polls by staged id, never by importId", async () => {
    const { summary, service } = await run(rows(12), { importIdKept: false });
    expect(summary).toMatchObject({ imported: 12, failed: 0 });
    expect(service.traits.get("importIdKept")).toBe(false);
    // Only the start-up probe filters by importId: polling by it would find nothing and count the devices as gone.
    expect(service.calls.filter((c) => c.kind === "list" && c.filter?.startsWith("importId eq"))).toHaveLength(1);
  });

  it("lost answers (applied or not) are reconciled by serial number: every device imported, none submitted twice", async () => {
    const { summary, report, service } = await run(rows(16), { importIdKept: false, unknownOutcomes: ["appliedThenLost", "appliedThenLost", "lost"] });
    expect(summary).toMatchObject({ imported: 16, failed: 0, submitted: 16 });
    expect(service.submittedTimes.size).toBe(16);
    expect(submittedOnce(service.submittedTimes)).toBe(true);
    expect(report.every((row) => row.status === "imported")).toBe(true);
  });

  it("records an earlier run left with the same serials do not pass for ours (the staged baseline)", async () => {
    const { summary, service } = await run(rows(8), { importIdKept: false, preStaged: ["SN0000", "SN0001", "SN0002", "SN0003"], unknownOutcomes: ["lost", "appliedThenLost"] });
    expect(summary).toMatchObject({ imported: 8, failed: 0 });
    // The first upload never landed: the old records of its serials were not taken for it, so it went again, once.
    expect(service.submittedTimes.size).toBe(8);
    expect(submittedOnce(service.submittedTimes)).toBe(true);
  });
});

describe("findStaged by serial number", () => {
  it("with a baseline: a record staged after it is ours, older ones are not", async () => {
    const { result, capabilities } = await reconcile({ preStaged: ["SN0000", "SN0001"] }, true, async (service) => {
      await service.submit({ id: "upload-x" } as never, pendingOf(2).slice(1)); // SN0001 landed; its answer was lost
    });
    expect([...result.staged.keys()].map((p) => p.device.serialNumber)).toEqual(["SN0001"]);
    expect(result.unknown).toEqual([]);
    expect(capabilities.claimed.size).toBe(1);
  });

  it("two new records of one serial (someone else staged it too): in doubt, not guessed", async () => {
    const { result } = await reconcile({}, true, async (service) => {
      await service.submit({ id: "upload-x" } as never, pendingOf(1));
      await service.submit({ id: "other-tool" } as never, pendingOf(1));
    });
    expect(result.staged.size).toBe(0);
    expect(result.unknown.map((p) => p.device.serialNumber)).toEqual(["SN0000"]);
  });

  it("without a baseline (a journal from before it existed): records of the serial make it unknown; none make it absent", async () => {
    const { result } = await reconcile({ preStaged: ["SN0001"] }, false, async () => {});
    expect(result.staged.size).toBe(0);
    expect(result.unknown.map((p) => p.device.serialNumber)).toEqual(["SN0001"]);
    expect(OUTCOME_UNKNOWN_MESSAGE).toMatch(/before re-importing/);
  });

  it("a record already claimed by another of our devices is never handed out again", async () => {
    const { result } = await reconcile({}, true, async (service, capabilities) => {
      const [record] = await service.submit({ id: "upload-x" } as never, pendingOf(1));
      capabilities.claimed.add(record!.id);
    });
    expect(result.staged.size).toBe(0);
    expect(result.unknown).toEqual([]);
  });
});
