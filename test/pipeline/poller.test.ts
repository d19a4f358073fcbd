import { describe, expect, it } from "vitest";
import { Poller, type PollOutcome } from "../../src/pipeline/poller.js";
import { DEFAULT_INTERVAL_POLICY } from "../../src/pipeline/poll-strategy.js";
import { newCapabilities, type ServiceCapabilities } from "../../src/pipeline/staged-api.js";
import type { TrackedDevice } from "../../src/pipeline/types.js";
import { FakeClock, FakeService, type FakeServiceOptions } from "./helpers/fake-service.js";

async function stage(service: FakeService, count: number, uploadId = "u1"): Promise<TrackedDevice[]> {
  const devices = Array.from({ length: count }, (_, i) => ({
    location: { file: "f.csv", line: i + 2 },
    device: { serialNumber: `${uploadId}-SN${i}`, hardwareIdentifier: "AAAA" },
  }));
  const records = await service.submit({ id: uploadId, createdDateTimeUtc: "", status: "noUpload", devices, size: count }, devices);
  return records.map((record, i) => ({
    file: "f.csv",
    line: i + 2,
    serialNumber: record.serialNumber,
    uploadId,
    stagedId: record.id,
    stagedAt: service.clock.now(),
    status: "unknown",
    misses: 0,
  }));
}

function setup(serviceOptions: FakeServiceOptions, capabilities: Partial<ServiceCapabilities> = {}, pollTimeoutMs = 600_000) {
  const clock = new FakeClock();
  const service = new FakeService(clock, serviceOptions);
  const finals: Array<{ device: TrackedDevice; outcome: PollOutcome; at: number }> = [];
  const roundTimes: number[] = [];
  const poller = new Poller({
    api: service,
    capabilities: { ...newCapabilities(service.traits), ...capabilities },
    policy: DEFAULT_INTERVAL_POLICY,
    pollTimeoutMs,
    now: clock.now,
    sleep: clock.sleep,
    signal: new AbortController().signal,
    onFinal: (device, outcome) => finals.push({ device, outcome, at: clock.now() }),
    log: (fields, message) => {
      if (message === "poll round") roundTimes.push(clock.now());
    },
  });
  return { clock, service, poller, finals, roundTimes };
}

describe("Poller", () => {
  it("backs off while nothing changes and reports each device once", async () => {
    const { clock, service, poller, finals, roundTimes } = setup({ processingMs: 20_000 });
    const start = clock.now();
    for (const device of await stage(service, 3)) poller.track(device);
    poller.close();
    await poller.run();
    expect(finals.map((f) => f.outcome.status)).toEqual(["imported", "imported", "imported"]);
    const offsets = roundTimes.map((t) => t - start);
    // 2 s, then ×1.5 while nothing changes (up to 30 s).
    expect(offsets).toEqual([2_000, 5_000, 9_500, 16_250, 26_375]);
    expect(poller.stats.rounds).toBe(5);
  });

  it("switches to JSON-batched GETs for a few devices once it knows many records are staged", async () => {
    const { service, poller, finals } = setup({ processingMs: 10_000, importIdFilter: false, foreignRecords: 5_000 }, { importIdFilter: false });
    for (const device of await stage(service, 30)) poller.track(device);
    poller.close();
    await poller.run();
    expect(finals).toHaveLength(30);
    expect(poller.stats.byStrategy.list).toBe(1);
    expect(poller.stats.byStrategy.batch).toBeGreaterThanOrEqual(2);
    // Full rounds GET all 30; probes between them GET the oldest 20.
    expect(service.calls.filter((c) => c.kind === "get").every((c) => c.size === 30 || c.size === 20)).toBe(true);
  });

  it("looks at the oldest upload only until devices finish, then at each upload when it is due", async () => {
    const { clock, service, poller, finals } = setup({ processingMs: 20_000 });
    const start = clock.now();
    for (const upload of ["a", "b", "c"]) {
      for (const device of await stage(service, 500, upload)) poller.track(device);
      clock.time += 5_000; // uploads staged 5 s apart
    }
    poller.close();
    await poller.run();
    expect(finals).toHaveLength(1500);
    const doneAt = (upload: string) => Math.max(...finals.filter((f) => f.device.uploadId === upload).map((f) => f.at)) - start;
    // Staged at 0, 5 and 10 s, processed in 20 s. Polling starts at 15 s with a full round; then the oldest upload is
    // looked at on its backoff (18, 22.5 s) and seen done at 22.5 s: processing took 18–22.5 s, so b and c are looked
    // at 20.25 s after their staging, and are done then.
    expect([doneAt("a"), doneAt("b"), doneAt("c")]).toEqual([22_500, 25_250, 30_250]);
    expect(poller.stats.partialRounds).toBeGreaterThan(0);
    expect(poller.stats.processingMs).not.toBeNull();
    expect(poller.stats.requests).toBeLessThanOrEqual(20);
  });

  it("looks more often for the first finished devices when many devices wait on them", async () => {
    const { clock, service, poller, finals } = setup({ processingMs: 60_000 });
    const start = clock.now();
    for (let u = 0; u < 60; u++) for (const device of await stage(service, 500, `u${u}`)) poller.track(device);
    poller.close();
    await poller.run();
    expect(finals).toHaveLength(30_000);
    // 30,000 in flight: the oldest upload is looked at every 2 s once the backoff reaches that cap.
    const firstDone = Math.min(...finals.map((f) => f.at)) - start;
    expect(firstDone).toBeGreaterThanOrEqual(60_000);
    expect(firstDone).toBeLessThanOrEqual(62_000);
    expect(poller.stats.requests).toBeLessThan(200);
  });

  it("still finds devices behind an oldest upload that never finishes, through the periodic full refresh", async () => {
    const stuck = Array.from({ length: 500 }, (_, i) => `a-SN${i}`);
    const { clock, service, poller, finals } = setup({ processingMs: 20_000, stuck }, {}, 600_000);
    const start = clock.now();
    for (const upload of ["a", "b", "c"]) for (const device of await stage(service, 500, upload)) poller.track(device);
    poller.close();
    await poller.run();
    const doneAt = (upload: string) => Math.max(...finals.filter((f) => f.device.uploadId === upload).map((f) => f.at)) - start;
    expect(doneAt("b")).toBeLessThanOrEqual(2_000 + 120_000 + 10_000); // first round, full-refresh period, partial interval
    expect(doneAt("c")).toBeLessThanOrEqual(2_000 + 120_000 + 10_000);
    expect(finals.filter((f) => f.device.uploadId === "a").every((f) => f.outcome.status === "timeout")).toBe(true);
  });

  it("filters by importId per upload when the service supports it", async () => {
    const { service, poller, finals } = setup({ processingMs: 1_000, foreignRecords: 5_000 });
    for (const device of [...(await stage(service, 300, "a")), ...(await stage(service, 300, "b"))]) poller.track(device);
    poller.close();
    await poller.run();
    expect(finals).toHaveLength(600);
    expect(poller.stats.byStrategy.byUpload).toBe(1);
    expect(poller.stats.requests).toBe(2);
  });

  it("falls back to listing when the importId filter is rejected", async () => {
    const { service, poller, finals } = setup({ processingMs: 1_000, importIdFilter: false });
    for (const device of await stage(service, 50)) poller.track(device);
    poller.close();
    await poller.run();
    expect(finals).toHaveLength(50);
    expect(service.calls.filter((c) => c.kind === "list").map((c) => c.filter)).toEqual(["importId eq 'u1'", undefined]);
  });

  it("reports devices still in progress at their deadline as timeout with their last status", async () => {
    const { clock, service, poller, finals } = setup({ processingMs: 1_000, stuck: ["u1-SN1"], partial: ["u1-SN2"] }, {}, 60_000);
    const start = clock.now();
    for (const device of await stage(service, 3)) poller.track(device);
    poller.close();
    await poller.run();
    const outcome = Object.fromEntries(finals.map((f) => [f.device.serialNumber, f]));
    expect(outcome["u1-SN0"]?.outcome.status).toBe("imported");
    expect(outcome["u1-SN1"]?.outcome).toMatchObject({ status: "timeout", errorName: "unknown" });
    expect(outcome["u1-SN2"]?.outcome).toMatchObject({ status: "timeout", message: "partial at deadline" });
    expect(outcome["u1-SN1"]!.at - start).toBe(60_000);
  });

  it("reports a record that vanished from the service as failed after repeated misses", async () => {
    const { service, poller, finals } = setup({ processingMs: 10_000 });
    const devices = await stage(service, 2);
    for (const device of devices) poller.track(device);
    service.records.delete(devices[0]!.stagedId);
    poller.close();
    await poller.run();
    const gone = finals.find((f) => f.device.stagedId === devices[0]!.stagedId);
    expect(gone?.outcome).toMatchObject({ status: "failed", errorName: "StagedRecordMissing" });
  });

  it("retries a poll round that failed transiently, and gives up after five in a row", async () => {
    const ok = setup({ processingMs: 1_000, failingLists: 3 });
    for (const device of await stage(ok.service, 5)) ok.poller.track(device);
    ok.poller.close();
    await ok.poller.run();
    expect(ok.finals).toHaveLength(5);
    expect(ok.poller.stats.failedRounds).toBe(3);

    const bad = setup({ processingMs: 1_000, failingLists: 100 });
    for (const device of await stage(bad.service, 5)) bad.poller.track(device);
    bad.poller.close();
    await expect(bad.poller.run()).rejects.toThrow(/status 503/);
  });

  it("stops when its signal aborts", async () => {
    const clock = new FakeClock();
    const service = new FakeService(clock, { stuck: ["u1-SN0"] });
    const controller = new AbortController();
    const poller = new Poller({
      api: service,
      capabilities: newCapabilities(service.traits),
      policy: DEFAULT_INTERVAL_POLICY,
      pollTimeoutMs: 600_000,
      now: clock.now,
      sleep: async (ms, signal) => {
        controller.abort(new Error("stop"));
        await clock.sleep(ms, signal);
      },
      signal: controller.signal,
      onFinal: () => {},
    });
    for (const device of await stage(service, 1)) poller.track(device);
    await expect(poller.run()).rejects.toThrow("stop");
  });
});
