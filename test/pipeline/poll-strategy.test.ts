import { describe, expect, it } from "vitest";
import {
  DEFAULT_INTERVAL_POLICY,
  choosePollStrategy,
  nextInterval,
  pollCosts,
  waitBeforeNextRound,
} from "../../src/pipeline/poll-strategy.js";

const base = { perUpload: [] as number[], staged: 0, pageSize: 1000, importIdFilter: false };

describe("choosePollStrategy", () => {
  it("lists one page when everything staged fits in it", () => {
    expect(choosePollStrategy({ ...base, inFlight: 15, perUpload: [15], staged: 15 })?.strategy).toBe("list");
  });

  it("uses batched GETs when few devices are in flight in a large staged collection", () => {
    const choice = choosePollStrategy({ ...base, inFlight: 35, perUpload: [35], staged: 50_000 });
    expect(choice).toEqual({ strategy: "batch", requests: 2, units: 35 });
  });

  it("lists pages when many devices are in flight", () => {
    const choice = choosePollStrategy({ ...base, inFlight: 10_000, perUpload: Array(20).fill(500), staged: 12_000 });
    expect(choice).toEqual({ strategy: "list", requests: 12, units: 12 });
  });

  it("filters by importId when the service supports it and that is cheapest", () => {
    const counts = { ...base, inFlight: 1_000, perUpload: [500, 500], staged: 200_000, importIdFilter: true };
    expect(choosePollStrategy(counts)?.strategy).toBe("byUpload");
    expect(choosePollStrategy({ ...counts, importIdFilter: false })?.strategy).toBe("batch");
  });

  it("never estimates the staged collection below what is in flight", () => {
    const costs = pollCosts({ ...base, inFlight: 5_000, staged: 0, pageSize: 100 });
    expect(costs.find((c) => c.strategy === "list")?.requests).toBe(50);
  });

  it("has nothing to do when nothing is in flight", () => {
    expect(choosePollStrategy({ ...base, inFlight: 0 })).toBeUndefined();
  });
});

describe("polling interval", () => {
  const policy = DEFAULT_INTERVAL_POLICY;

  it("starts at the minimum and backs off while nothing changes, up to the maximum", () => {
    const waits: number[] = [];
    let interval: number | undefined;
    for (let i = 0; i < 10; i++) {
      interval = nextInterval(interval, false, policy);
      waits.push(interval);
    }
    expect(waits[0]).toBe(policy.minMs);
    expect(waits[1]).toBe(policy.minMs * policy.factor);
    expect(waits.at(-1)).toBe(policy.maxMs);
    expect([...waits].sort((a, b) => a - b)).toEqual(waits);
  });

  it("resets to the minimum on progress", () => {
    expect(nextInterval(30_000, true, policy)).toBe(policy.minMs);
  });

  it("never spends more than its share of the request budget", () => {
    expect(waitBeforeNextRound(2_000, 100, policy)).toBe(4_000);
    expect(waitBeforeNextRound(2_000, 3, policy)).toBe(2_000);
  });
});
